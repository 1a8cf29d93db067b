/**
 * `openDecodedCsv` on a worker thread. The worker reads a local file itself; any other source is read
 * on this thread and each chunk posted (a copy, whose buffer is transferred: the source may reuse its
 * chunks). The worker tokenizes, decodes and posts each batch back in a transfer frame, which goes back
 * to it once the consumer asks for the next batch (so a batch is valid until then, as with
 * `reuseBatches`). Flow control: the worker stays at most a few batches ahead of the consumer, and at
 * most `CHUNKS_AHEAD` posted chunks wait in it, so memory stays bounded whatever the consumer's speed.
 */
import type { Worker } from 'node:worker_threads';
import type { CsvOptions } from './csv/index.js';
import type { LocalFileSource } from './csv/local-file-source.js';
import type { PeekedSource } from './csv/peeked-source.js';
import type { DecodedCsvBatch, DecodedCsvOptions, DecodedCsvReader } from './decoded-csv-reader.js';
import { DecodeWorkerError } from './decode-worker-error.js';
import { failureError, wirePlan, type FromWorker, type ToWorker } from './decode-worker-messages.js';
import { keepDecodeWorker, takeDecodeWorker } from './decode-worker-pool.js';
import type { Fingerprint } from './input-fingerprint.js';
import { unpackFrame } from './transfer-frame.js';
import { UsageError } from '../etl/errors.js';

/**
 * Most chunks posted to the worker and not yet taken by its tokenizer. This thread reads only when its
 * event loop turns (between batches, for a busy consumer), so it keeps a couple of batches of input there.
 */
const CHUNKS_AHEAD = 8;

/** What the worker reads: chunks this thread reads from `source`, or `file`, which it opens itself (filling `fingerprint`). */
export type ThreadedInput = { source: PeekedSource } | { file: LocalFileSource; fingerprint: Fingerprint | undefined };

/** Opens `input` on a worker thread; errors as `openCsv` throws them (`dialect` is already checked). */
export async function openDecodedCsvThreaded(input: ThreadedInput, dialect: CsvOptions, plan: DecodedCsvOptions['plan']): Promise<DecodedCsvReader> {
  const source = 'source' in input ? input.source : undefined;
  let worker: Worker;
  try {
    worker = takeDecodeWorker();
  } catch (err) {
    await source?.release();
    throw err;
  }
  const session = new ThreadedSession(worker, source, 'file' in input ? input.fingerprint : undefined);
  if ('file' in input) session.post({ type: 'open', options: dialect, file: { path: input.file.path, chunkSize: input.file.chunkSize } });
  else session.post({ type: 'open', options: dialect });
  session.pump();
  try {
    const { header, headerLine } = await session.header();
    session.post({ type: 'plan', plan: wirePlan(header === undefined ? undefined : plan(header)) });
    let iterated = false;
    return {
      header,
      headerLine,
      threaded: true,
      [Symbol.asyncIterator]() {
        if (iterated) throw new UsageError('a DecodedCsvReader can be iterated only once');
        iterated = true;
        return session.batches();
      },
      close: () => session.close(),
    };
  } catch (err) {
    await session.close();
    throw err;
  }
}

/** This thread's side of one input read on a worker. */
class ThreadedSession {
  private readonly queue: { batch: DecodedCsvBatch; frame: ArrayBuffer }[] = [];
  private readonly chunks: AsyncIterator<Uint8Array> | undefined;
  private headerMessage: Extract<FromWorker, { type: 'header' }> | undefined;
  private failure: { error: unknown } | undefined;
  private sourceError: unknown;
  private finished = false;
  private closed = false;
  private sourceDone = false;
  private pumping = false;
  private unacked = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly onMessage = (m: FromWorker): void => this.receive(m);
  private readonly onError = (err: Error): void => this.crash(new DecodeWorkerError(`the CSV decode thread failed: ${err.message}`, { cause: err }));
  private readonly onExit = (code: number): void => this.crash(new DecodeWorkerError(`the CSV decode thread exited (code ${code})`));

  /** `source`: the chunks to post (none when the worker reads a file); `fingerprint`: filled from the worker's at the end. */
  constructor(
    private readonly worker: Worker,
    private readonly source: PeekedSource | undefined,
    private readonly fingerprint: Fingerprint | undefined,
  ) {
    this.chunks = source?.[Symbol.asyncIterator]();
    this.sourceDone = source === undefined;
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    worker.on('exit', this.onExit);
  }

  post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** Waits for the header; throws what reading it threw. */
  async header(): Promise<Extract<FromWorker, { type: 'header' }>> {
    while (this.headerMessage === undefined && this.failure === undefined) await this.wait();
    if (this.headerMessage === undefined) throw this.failure!.error;
    return this.headerMessage;
  }

  /** The batches in order; then the failure, if any. Stopping early stops the worker. */
  async *batches(): AsyncGenerator<DecodedCsvBatch> {
    try {
      for (;;) {
        while (this.queue.length === 0 && !this.finished && this.failure === undefined) await this.wait();
        const next = this.queue.shift();
        if (next !== undefined) {
          yield next.batch;
          this.post({ type: 'recycle', frame: next.frame }, [next.frame]);
        } else if (this.failure !== undefined) throw this.failure.error;
        else return;
      }
    } finally {
      await this.close();
    }
  }

  /** Reads and posts chunks while the worker has room. Never throws: a read error is reported in order. */
  pump(): void {
    if (this.pumping || this.sourceDone) return;
    this.pumping = true;
    void this.fill().finally(() => (this.pumping = false));
  }

  private async fill(): Promise<void> {
    while (!this.sourceDone && !this.closed && this.unacked < CHUNKS_AHEAD) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await this.chunks!.next();
      } catch (err) {
        this.sourceDone = true;
        this.sourceError = err;
        if (!this.closed) this.post({ type: 'end', failed: true });
        return;
      }
      if (this.closed) return;
      if (next.done) {
        this.sourceDone = true;
        this.post({ type: 'end', failed: false });
        return;
      }
      if (next.value.byteLength === 0) continue;
      const chunk = new Uint8Array(next.value); // a copy: the source may own or reuse the chunk's memory
      this.unacked++;
      this.post({ type: 'chunk', chunk }, [chunk.buffer]);
    }
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'took':
        this.unacked--;
        this.pump();
        return;
      case 'header':
        this.headerMessage = m;
        break;
      case 'batch':
        this.queue.push({ batch: unpackFrame(m.frame, m.tree) as DecodedCsvBatch, frame: m.frame });
        break;
      case 'done':
        if (this.fingerprint !== undefined && m.fingerprint !== undefined) Object.assign(this.fingerprint, m.fingerprint);
        this.finished = true;
        break;
      case 'error':
        this.failure ??= { error: failureError(m.failure, this.sourceError) };
        break;
    }
    this.notify();
  }

  private crash(error: DecodeWorkerError): void {
    if (this.closed) return;
    this.failure ??= { error };
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves on the next message; the worker keeps the process alive meanwhile. */
  private async wait(): Promise<void> {
    this.worker.ref();
    try {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    } finally {
      this.worker.unref();
    }
  }

  /** Detaches from the worker (kept for reuse after a clean end, else stopped) and releases the source. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.off('message', this.onMessage);
    this.worker.off('error', this.onError);
    this.worker.off('exit', this.onExit);
    this.queue.length = 0;
    if (this.finished && this.failure === undefined) keepDecodeWorker(this.worker);
    else await this.worker.terminate();
    await this.source?.release();
  }
}
