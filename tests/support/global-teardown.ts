/** Jest global teardown: stop the moto server started by the global setup. */
import type { ChildProcess } from 'node:child_process';

export default async function globalTeardown(): Promise<void> {
  const moto = (globalThis as { __MOTO__?: ChildProcess }).__MOTO__;
  if (moto && moto.exitCode === null) {
    moto.kill('SIGTERM');
    await new Promise((r) => moto.once('exit', r));
  }
}
