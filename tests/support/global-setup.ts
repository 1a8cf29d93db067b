/**
 * Jest global setup: the pinned Python venv of the interop harness, and one moto server (real HTTP on
 * 127.0.0.1) shared by every test file. Jest loads this file as CommonJS, so it imports no relative
 * modules; tests find the venv through tests/support/python-venv.ts.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const VENV_DIR = join(process.cwd(), 'tests', 'interop', '.venv');
const PYTHON = join(VENV_DIR, 'bin', 'python');

/** Create or refresh the venv so that it holds exactly the pinned requirements. */
function ensureVenv(): void {
  const requirements = join(process.cwd(), 'tests', 'interop', 'requirements.txt');
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const stamp = join(VENV_DIR, '.requirements.sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(PYTHON)) return;
  process.stderr.write(`[test-setup] installing the interop venv in ${VENV_DIR} (one time)\n`);
  if (!existsSync(PYTHON)) execFileSync(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
  execFileSync(PYTHON, ['-m', 'pip', 'install', '-q', '-r', requirements], { stdio: 'inherit' });
  writeFileSync(stamp, wanted);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Start moto on a free loopback port and wait until it answers. */
async function startMoto(): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  // Our launcher serialises moto's writes so conditional puts are atomic, as on real S3.
  const launcher = join(process.cwd(), 'tests', 'interop', 'moto_server.py');
  const child = spawn(PYTHON, [launcher, '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early: ${stderr}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not start on ${endpoint}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { endpoint, child };
}

export default async function globalSetup(): Promise<void> {
  ensureVenv();
  const moto = await startMoto();
  (globalThis as { __MOTO__?: ChildProcess }).__MOTO__ = moto.child;
  // Every AWS client in the tests talks to moto; nothing can reach a real account.
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_DEFAULT_REGION = 'us-east-1';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}
