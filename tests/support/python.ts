/** Run the interop harness's Python scripts (in the pinned venv) and parse their JSON output. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INTEROP_DIR, PYTHON } from './python-venv.js';

const run = promisify(execFile);

/** Run `tests/interop/<script>` with `args`; returns its stdout parsed as JSON. */
export async function runPython<T = unknown>(script: string, args: string[], env: Record<string, string> = {}): Promise<T> {
  try {
    const { stdout } = await run(PYTHON, [join(INTEROP_DIR, script), ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 256 * 1024 * 1024,
    });
    return JSON.parse(stdout) as T;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; code?: number; signal?: string; message: string };
    throw new Error(
      `${script} ${args.join(' ')} failed (exit ${e.code ?? '?'}${e.signal ? `, ${e.signal}` : ''}): ${e.stderr || e.message}; stdout: ${(e.stdout ?? '').slice(0, 300)}`,
    );
  }
}
