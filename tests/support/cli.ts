/** Run the `lakehouse` CLI as a user would (a separate process), from the TypeScript sources. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What a CLI run printed and returned. */
export interface CliResult {
  /** Exit code. */
  code: number | null;
  /** Signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Options of a CLI run. */
export interface CliOptions {
  /** Working directory. */
  cwd?: string;
  /** Kill the process with SIGKILL once stderr contains this text. */
  killWhen?: string;
}

const MAIN = join(process.cwd(), 'pipelines', 'cli', 'main.ts');
/** tsx's loader by absolute URL, so the CLI runs from any working directory. */
const TSX = pathToFileURL(join(process.cwd(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** Run `lakehouse <args>`. */
export function lakehouse(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, '--no-warnings', MAIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.killWhen && stderr.includes(options.killWhen)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
