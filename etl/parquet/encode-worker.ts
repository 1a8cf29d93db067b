/**
 * Parquet encoding on a second core: one worker thread runs parquet-wasm's encoder (the bulk of a
 * write's CPU time: dictionary and page encoding, zstd) while the calling thread goes on reading,
 * validating and building the next batches. The table crosses as an Arrow IPC stream (one copy, then
 * its buffer is transferred) and the file comes back transferred too.
 *
 * The worker is a few lines of plain JavaScript evaluated in the thread, requiring parquet-wasm by
 * its resolved path, so it runs the same under tsx, jest and the compiled dist/. It is started on
 * first use, referenced only while requests are under way (an idle worker never keeps the process
 * alive), and serves requests in order.
 *
 * It is off unless `LAKEHOUSE_PARQUET_WORKER=1`. Measured on the 2-core bench (`npm run bench`, 2M and
 * 10M order_items rows), it did not shorten the ingest (the calling thread, which reads and decodes the
 * CSV twice, stays the bottleneck, and streamed encoding costs the worker more than one-shot encoding
 * costs the caller) while it added about 150-180 MiB of peak RSS (a second isolate and wasm heap), so
 * files are encoded on the calling thread by default.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type Table, tableToIPC } from 'apache-arrow';
import { coerceTableForParquet } from './coerce.js';
import { compressionOf, rowGroupSizeOf } from './encode.js';
import { ParquetEncodeError } from './errors.js';
import type { ParquetWriteOptions } from './types.js';

/** An encoded file. */
export interface EncodedFile {
  /** The Parquet bytes. */
  bytes: Uint8Array;
  /** Compressed bytes per top-level column (see `readColumnSizes`). */
  columnSizes: Record<string, number>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pw = require(workerData.parquetWasm);
const sessions = new Map();
async function sizes(bytes) {
  const file = await pw.ParquetFile.fromFile(new Blob([bytes]));
  const metadata = file.metadata();
  const out = {};
  for (const rowGroup of metadata.rowGroups()) {
    for (const column of rowGroup.columns()) {
      const name = column.columnPath()[0];
      out[name] = (out[name] || 0) + column.compressedSize();
      column.free();
    }
    rowGroup.free();
  }
  metadata.free();
  file.free();
  return out;
}
function properties(m) {
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(m.compression)
    .setMaxRowGroupSize(m.rowGroupSize)
    .setDictionaryEnabled(true)
    .setStatisticsEnabled(pw.EnabledStatistics.Page);
  for (const c of m.plainColumns) builder = builder.setColumnDictionaryEnabled(c, false);
  for (const c of m.deltaColumns) builder = builder.setColumnDictionaryEnabled(c, false).setColumnEncoding(c, pw.Encoding.DELTA_BINARY_PACKED);
  return builder.build();
}
function batchesOf(ipc) {
  const table = pw.Table.fromIPCStream(new Uint8Array(ipc));
  const batches = table.recordBatches();
  table.free();
  return batches;
}
async function reply(id, bytes) {
  const columnSizes = await sizes(bytes);
  parentPort.postMessage({ id, bytes, columnSizes }, [bytes.buffer]);
}
// A file written batch by batch: parquet-wasm pulls the batches from a stream as it encodes them;
// an append is answered once its last batch is taken, so the caller knows the worker kept up.
function open(m) {
  const s = { queue: [], wake: undefined, closed: false, chunks: [], total: 0, failure: undefined };
  const input = new ReadableStream({
    pull(c) {
      return new Promise((resolve) => {
        const give = () => {
          if (s.queue.length > 0) {
            const q = s.queue.shift();
            c.enqueue(q.batch);
            if (q.id !== undefined) parentPort.postMessage({ id: q.id });
            resolve();
          } else if (s.closed) {
            c.close();
            resolve();
          } else s.wake = give;
        };
        give();
      });
    },
  }, { highWaterMark: 0 });
  s.done = (async () => {
    const out = await pw.transformParquetStream(input, properties(m));
    for await (const chunk of out) {
      s.chunks.push(chunk);
      s.total += chunk.length;
    }
  })();
  s.done.catch((e) => { s.failure = e; for (const q of s.queue.splice(0)) if (q.id !== undefined) parentPort.postMessage({ id: q.id }); });
  sessions.set(m.session, s);
}
function wake(s) {
  const w = s.wake;
  s.wake = undefined;
  if (w) w();
}
async function handle(m) {
  if (m.op === 'encode') return reply(m.id, pw.writeParquet(pw.Table.fromIPCStream(new Uint8Array(m.ipc)), properties(m)));
  if (m.op === 'open') open(m);
  const s = sessions.get(m.session);
  if (m.op === 'open' || m.op === 'append') {
    if (s.failure) return parentPort.postMessage({ id: m.id });
    const batches = batchesOf(m.ipc);
    batches.forEach((batch, i) => s.queue.push({ batch, id: i === batches.length - 1 ? m.id : undefined }));
    if (batches.length === 0) parentPort.postMessage({ id: m.id });
    return wake(s);
  }
  sessions.delete(m.session);
  s.closed = true;
  wake(s);
  await s.done;
  if (m.op === 'abort') return parentPort.postMessage({ id: m.id });
  const bytes = new Uint8Array(s.total);
  let at = 0;
  for (const c of s.chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return reply(m.id, bytes);
}
// One request at a time, in order: a file being finished has the encoder to itself (less memory).
let queue = Promise.resolve();
parentPort.on('message', (m) => {
  queue = queue.then(() => handle(m)).catch((e) => parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) }));
});
`;

interface Reply {
  id: number;
  bytes?: Uint8Array;
  columnSizes?: Record<string, number>;
  error?: string;
}

/** Requests handed to the worker and not answered yet, at most, before `encoderRoom` waits. */
const MAX_QUEUED = 3;

/** A Parquet file being encoded batch by batch on the encoder thread (see `openEncodeSession`). */
export interface EncodeSession {
  /** Hands `table` (the file's schema) to the encoder; waits only for room in its queue. */
  append(table: Table): Promise<void>;
  /** Ends the file: its bytes and column sizes. Throws `ParquetEncodeError` when encoding failed. */
  finish(): Promise<EncodedFile>;
  /** Drops the file. */
  abort(): Promise<void>;
}

class EncodeWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private nextSession = 0;
  private broken: Error | undefined;

  constructor() {
    const parquetWasm = createRequire(import.meta.url).resolve('parquet-wasm/node');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { parquetWasm } });
    this.worker.unref();
    this.worker.on('message', (m: Reply) => this.answer(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the Parquet encoder thread exited (code ${code})`)));
  }

  /** Requests under way. */
  get queued(): number {
    return this.waiting.size;
  }

  async encode(table: Table, options: ParquetWriteOptions): Promise<EncodedFile> {
    const reply = await this.request({ op: 'encode', ...properties(options) }, table);
    return { bytes: reply.bytes!, columnSizes: reply.columnSizes! };
  }

  openSession(options: ParquetWriteOptions): EncodeSession {
    const session = this.nextSession++;
    const props = properties(options);
    const appends: Promise<unknown>[] = [];
    let opened = false;
    return {
      append: async (table) => {
        await encoderRoom();
        appends.push(this.request({ op: opened ? 'append' : 'open', session, ...props }, table));
        opened = true;
      },
      finish: async () => {
        await Promise.all(appends);
        const reply = await this.request({ op: 'finish', session });
        return { bytes: reply.bytes!, columnSizes: reply.columnSizes! };
      },
      abort: async () => {
        await Promise.allSettled(appends);
        if (opened) await this.request({ op: 'abort', session }).catch(() => undefined);
      },
    };
  }

  /** Posts a request (with `table` as an IPC stream, transferred) and waits for its reply. */
  private request(message: Record<string, unknown>, table?: Table): Promise<Reply> {
    if (this.broken) return Promise.reject(new ParquetEncodeError(`the Parquet encoder thread failed: ${this.broken.message}`, { cause: this.broken }));
    let transfer: ArrayBuffer[] = [];
    let ipc: ArrayBuffer | undefined;
    if (table !== undefined) {
      const bytes = tableToIPC(coerceTableForParquet(table), 'stream');
      ipc = (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer) as ArrayBuffer;
      transfer = [ipc];
    }
    const id = this.nextId++;
    const done = new Promise<Reply>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (this.waiting.size === 1) this.worker.ref();
    this.worker.postMessage({ ...message, id, ipc }, transfer);
    return done;
  }

  private answer(m: Reply): void {
    const w = this.waiting.get(m.id);
    if (w === undefined) return;
    this.settled(m.id);
    if (m.error !== undefined) w.reject(new ParquetEncodeError(`parquet-wasm could not encode the table: ${m.error}`));
    else w.resolve(m);
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
    wakeOne();
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const [id, w] of [...this.waiting]) {
      this.settled(id);
      w.reject(new ParquetEncodeError(`the Parquet encoder thread failed: ${err.message}`, { cause: err }));
    }
    for (const r of room.splice(0)) r();
    if (shared === this) shared = undefined;
  }
}

function properties(options: ParquetWriteOptions): { compression: number; rowGroupSize: number; plainColumns: string[]; deltaColumns: string[] } {
  return { compression: compressionOf(options), rowGroupSize: rowGroupSizeOf(options), plainColumns: options.plainColumns ?? [], deltaColumns: options.deltaColumns ?? [] };
}

let shared: EncodeWorker | undefined;
const room: (() => void)[] = [];

function wakeOne(): void {
  room.shift()?.();
}

/**
 * Resolves when the encoder thread has room for another request (fewer than three queued): call it
 * before handing over a file so that buffered tables wait as Arrow data in their writers' budgets, not
 * in a queue.
 */
export async function encoderRoom(): Promise<void> {
  while (shared !== undefined && shared.queued >= MAX_QUEUED) await new Promise<void>((r) => room.push(r));
}

/** True when `LAKEHOUSE_PARQUET_WORKER=1`: files are encoded on the encoder thread. */
export function encoderThreadEnabled(): boolean {
  return process.env.LAKEHOUSE_PARQUET_WORKER === '1';
}

/**
 * Encode `table` as one Parquet file (as `encodeParquet` does) on the encoder thread, with its column
 * sizes, whatever `LAKEHOUSE_PARQUET_WORKER` says (the caller decides; see `encoderRoom` to keep the
 * queue short). Options are checked on the calling thread first (`UsageError`).
 */
export async function encodeParquetOffThread(table: Table, options: ParquetWriteOptions = {}): Promise<EncodedFile> {
  properties(options);
  shared ??= new EncodeWorker();
  return shared.encode(table, options);
}

/**
 * Starts a Parquet file encoded batch by batch on the encoder thread (row groups are encoded as the
 * batches arrive: the caller holds no rows), or undefined when the encoder thread is off.
 */
export function openEncodeSession(options: ParquetWriteOptions = {}): EncodeSession | undefined {
  properties(options);
  if (!encoderThreadEnabled()) return undefined;
  shared ??= new EncodeWorker();
  return shared.openSession(options);
}
