/**
 * The worker thread of `openDecodedCsv`: runs `openCsv` over the input (the chunks the calling thread
 * posts, or a local file it reads itself) and `decodeBatch` over each batch, and posts each batch back
 * in a transfer frame (`transfer-frame.ts`); the calling thread hands each frame back once its batch is
 * consumed, which both bounds how far ahead the worker runs and lets it reuse the memory. One input at
 * a time; after `done` it waits for the next `open`. The protocol is in `decode-worker-messages.ts`.
 */
import { parentPort } from 'node:worker_threads';
import { fileSource, openCsv, type CsvBatch } from './csv/index.js';
import type { ColumnSpec } from './column.js';
import { decodeBatch } from './decoded-batch.js';
import { nextDecodeBatch, recycleDecodeArrays } from './csv/decode-arrays.js';
import { emptyFingerprint, fingerprinted, type Fingerprint } from './input-fingerprint.js';
import { FramePool, packFrame } from './transfer-frame.js';
import { describeFailure, FileReadFailed, SourceFailed, type FromWorker, type ToWorker, type WirePlan } from './decode-worker-messages.js';

/** Most batches posted and not yet handed back before the worker pauses. */
const BATCHES_AHEAD = 2;

const port = parentPort;
if (port === null) throw new Error('decode-worker.ts runs only as a worker thread');

const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const frames = new FramePool(BATCHES_AHEAD + 1);
// Every decoded batch is copied into a frame before the next is decoded: its arrays can be reused.
recycleDecodeArrays(true);

/** The file's chunks; a read error is marked as such. */
async function* fileChunks(path: string, chunkSize: number): AsyncGenerator<Uint8Array> {
  try {
    yield* fileSource(path, chunkSize);
  } catch (err) {
    throw new FileReadFailed('read failed', { cause: err });
  }
}

/** One input being read. */
class Session {
  private readonly inbox: (Uint8Array | 'end' | 'failed')[] = [];
  private readonly wakers: (() => void)[] = [];
  private plan: ((plan: WirePlan | null) => void) | undefined;
  private readonly planned = new Promise<WirePlan | null>((resolve) => (this.plan = resolve));
  private ahead = 0;

  /** Routes a message of the calling thread. */
  receive(m: ToWorker): void {
    if (m.type === 'plan') this.plan!(m.plan);
    else if (m.type === 'chunk') this.inbox.push(m.chunk);
    else if (m.type === 'end') this.inbox.push(m.failed ? 'failed' : 'end');
    else if (m.type === 'recycle') this.ahead--;
    for (const wake of this.wakers.splice(0)) wake();
  }

  /** Resolves on the next message (gunzip may pull chunks while the batch loop waits for room). */
  private next(): Promise<void> {
    return new Promise<void>((resolve) => this.wakers.push(resolve));
  }

  /** The posted chunks as they arrive; each one taken is acknowledged so that the calling thread sends another. */
  private async *posted(): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (this.inbox.length === 0) await this.next();
      const next = this.inbox.shift()!;
      if (next === 'end') return;
      if (next === 'failed') throw new SourceFailed();
      post({ type: 'took' });
      yield next;
    }
  }

  async run(m: Extract<ToWorker, { type: 'open' }>): Promise<void> {
    try {
      const fingerprint: Fingerprint | undefined = m.file === undefined ? undefined : emptyFingerprint();
      const source = m.file === undefined ? this.posted() : fingerprinted(fileChunks(m.file.path, m.file.chunkSize), fingerprint!);
      // Batches may be reused: each one is copied into its frame before the next is asked for.
      const reader = await openCsv(source, { ...m.options, reuseBatches: true });
      post({ type: 'header', header: reader.header, headerLine: reader.headerLine });
      const plan = await this.planned;
      const specs = plan?.specs.map((s): ColumnSpec => ({ ...s, isRequired: false, checks: [] }));
      for await (const csv of reader) {
        this.send(csv, plan, specs);
        while (this.ahead >= BATCHES_AHEAD) await this.next();
      }
      post(fingerprint === undefined ? { type: 'done' } : { type: 'done', fingerprint });
    } catch (err) {
      post({ type: 'error', failure: describeFailure(err) });
    }
  }

  private send(csv: CsvBatch, plan: WirePlan | null, specs: ColumnSpec[] | undefined): void {
    nextDecodeBatch();
    const decoded = plan === null || specs === undefined ? undefined : decodeBatch(csv, specs, plan.fields);
    const { frame, tree } = packFrame({ csv, decoded }, frames);
    this.ahead++;
    post({ type: 'batch', frame, tree }, [frame]);
  }
}

let session: Session | undefined;
port.on('message', (m: ToWorker) => {
  if (m.type === 'recycle') frames.give(m.frame);
  if (m.type === 'open') {
    session = new Session();
    void session.run(m);
  } else session?.receive(m);
});
