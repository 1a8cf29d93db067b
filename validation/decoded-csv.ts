/**
 * `openDecodedCsv`: `openCsv` + `decodeBatch` behind one call, run on a worker thread for large inputs
 * so that tokenizing and decoding (about a fifth of a validation pass) overlap the caller's own work.
 *
 * Where it runs (`thread`):
 * - `main`: on the calling thread, exactly `openCsv(source, { reuseBatches: true })` then `decodeBatch`.
 * - `worker`: on a worker thread. A `LocalFileSource` is opened and read by the worker itself; any other
 *   source is read on the calling thread, which posts copies of its chunks.
 * - `auto` (default): by size. A `LocalFileSource` of at least `workerMinBytes` (default
 *   `CSV_WORKER_MIN_BYTES`) goes to the worker; another source is read up to `workerMinBytes` first, and
 *   goes to the worker unless it ended within them (a thread costs more than it saves on small inputs).
 *   `LAKEHOUSE_CSV_WORKER=0` makes `auto` mean `main`, `LAKEHOUSE_CSV_WORKER=1` means `worker` whatever the size.
 *   `auto` also means `main` when the worker's module is not next to this one (a bundle of one file).
 *
 * Both give the same batches, header, line numbers, malformed rows and decoded values, and throw the
 * same errors at the same points: `UsageError` for bad options (before anything is read),
 * `CsvFormatError` for a malformed header or a corrupt gzip stream at open, a corrupt gzip stream later
 * while iterating, and read errors of the source (the source's own error; for a file the worker read, an
 * `Error` with the same message, `code`, `errno`, `syscall` and `path`).
 *
 * The fingerprint (`options.fingerprint`) is taken on whichever thread reads the bytes.
 */
import { stat } from 'node:fs/promises';
import { resolveCsvOptions } from './csv/index.js';
import { LocalFileSource } from './csv/local-file-source.js';
import { PeekedSource } from './csv/peeked-source.js';
import type { DecodeThread, DecodedCsvOptions, DecodedCsvReader } from './decoded-csv-reader.js';
import { openDecodedCsvInThread } from './decoded-csv-in-thread.js';
import { openDecodedCsvThreaded } from './decoded-csv-threaded.js';
import { decodeWorkerAvailable } from './decode-worker-pool.js';
import { fingerprinted } from './input-fingerprint.js';

/** In `auto`, inputs of at least this many raw bytes (8 MiB, about two batches of order_items) use the worker thread. */
export const CSV_WORKER_MIN_BYTES = 8 << 20;

/** Where `auto` runs according to `LAKEHOUSE_CSV_WORKER` (`0`: main, `1`: worker, unset or else: by size). */
export function csvWorkerSetting(env: NodeJS.ProcessEnv = process.env): DecodeThread {
  const value = env.LAKEHOUSE_CSV_WORKER;
  return value === '0' ? 'main' : value === '1' ? 'worker' : 'auto';
}

/** Size of the file, or undefined when it cannot be read (opening it will then report why). */
async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * Opens a CSV source (plain or gzip) and reads until its header is known, like `openCsv`, then calls
 * `options.plan(header)`; iterating the reader yields each batch with its decoded columns. Call
 * `close()` when the batches may be left unread.
 */
export async function openDecodedCsv(source: AsyncIterable<Uint8Array>, options: DecodedCsvOptions): Promise<DecodedCsvReader> {
  const { plan, thread = 'auto', workerMinBytes = CSV_WORKER_MIN_BYTES, fingerprint, ...dialect } = options;
  resolveCsvOptions(dialect);
  // Where the worker's module is not shipped (a bundle without `decode-worker.js`), `auto` stays on this thread.
  const where = thread === 'auto' ? (decodeWorkerAvailable() ? csvWorkerSetting() : 'main') : thread;
  const bytes = fingerprint === undefined ? source : fingerprinted(source, fingerprint);
  const inThread = async (): Promise<DecodedCsvReader> => openDecodedCsvInThread(await PeekedSource.peek(bytes, 0), dialect, plan);
  if (where === 'main') return inThread();
  if (source instanceof LocalFileSource) {
    const size = where === 'worker' ? Infinity : await fileSize(source.path);
    return size !== undefined && size >= workerMinBytes ? openDecodedCsvThreaded({ file: source, fingerprint }, dialect, plan) : inThread();
  }
  const peeked = await PeekedSource.peek(bytes, where === 'auto' ? workerMinBytes : 0);
  return where === 'auto' && peeked.ended ? openDecodedCsvInThread(peeked, dialect, plan) : openDecodedCsvThreaded({ source: peeked }, dialect, plan);
}
