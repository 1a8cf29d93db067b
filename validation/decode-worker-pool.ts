/**
 * Starting the CSV decode worker, and keeping one idle worker for the next input (starting a thread
 * and loading the modules costs tens of milliseconds; a dataset often has many files).
 *
 * The worker is the sibling module `decode-worker` with this module's own extension: `.js` in the
 * compiled dist/, started directly; `.ts` under tsx and jest, whose worker threads get neither tsx's
 * hooks nor jest's transform (and Node 20 ignores `--import` in a worker's `execArgv`). A `.ts` worker is
 * therefore a few lines of plain JavaScript (as the project's other workers are) that register tsx's
 * ESM hooks in the thread (tsx is a devDependency: dist/ never needs it) and import the module.
 * Workers are unreferenced whenever no caller waits on them, so an idle worker never keeps the
 * process alive.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DecodeWorkerError } from './decode-worker-error.js';

/** Bootstrap of a `.ts` worker: tsx's hooks first, then the module. */
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.module); });
`;

let idle: Worker | undefined;
let live = 0;

/** URL of tsx's ESM API (`tsx/esm/api`, import condition), read from its package.json exports. */
function tsxEsmApi(from: string): string {
  const manifest = createRequire(from).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  return pathToFileURL(join(dirname(manifest), exports['./esm/api']!.import.default)).href;
}

/**
 * True when the worker's module can be loaded: next to this module when compiled (a bundle must ship it
 * as `decode-worker.js` next to itself, as the Lambda's does), or through tsx when running from TypeScript sources.
 */
export function decodeWorkerAvailable(here: string = import.meta.url): boolean {
  if (here.endsWith('.ts')) return true;
  const file = new URL('./decode-worker.js', here);
  return file.protocol === 'file:' && existsSync(fileURLToPath(file));
}

/** Starts the worker module next to this one. */
function spawn(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./decode-worker.js', here));
  const module = new URL('./decode-worker.ts', here).href;
  return new Worker(TS_BOOTSTRAP, { eval: true, workerData: { tsxApi: tsxEsmApi(here), module } });
}

function startWorker(): Worker {
  let worker: Worker;
  try {
    worker = spawn();
  } catch (err) {
    throw new DecodeWorkerError(`cannot start the CSV decode thread: ${(err as Error).message}`, { cause: err });
  }
  worker.unref();
  live++;
  // An idle worker that fails is dropped; a busy one is watched by its session.
  worker.on('error', () => undefined);
  worker.on('exit', () => {
    live--;
    if (idle === worker) idle = undefined;
  });
  return worker;
}

/** A worker for one input: the idle one if there is one, else a new one. */
export function takeDecodeWorker(): Worker {
  const worker = idle ?? startWorker();
  idle = undefined;
  return worker;
}

/** Hands back a worker that finished its input cleanly: kept for the next one, or stopped if one is kept already. */
export function keepDecodeWorker(worker: Worker): void {
  worker.unref();
  if (idle === undefined) idle = worker;
  else void worker.terminate();
}

/** Stops the idle worker, if any (tests; a process may also just exit). */
export async function stopIdleDecodeWorker(): Promise<void> {
  const worker = idle;
  idle = undefined;
  await worker?.terminate();
}

/** Decode worker threads started and not yet exited (busy or idle): for tests and diagnostics. */
export function liveDecodeWorkers(): number {
  return live;
}
