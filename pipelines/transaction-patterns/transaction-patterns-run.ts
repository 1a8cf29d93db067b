/**
 * One run of the transaction-pattern pipeline: Mechanism X (chunked ingest of the source) and Mechanism Y
 * (exactly-once detection over every chunk, in order) side by side, until the source is exhausted and
 * every chunk is processed. Everything is resumable: X's position is a file in the output store, Y's
 * cumulative state, emitted detections and file progress live in PostgreSQL.
 *
 * X starts at once (it needs no database). Y takes every chunk X has written, up to
 * {@link MAX_BATCH_CHUNKS}, evaluates the patterns after each and commits them in one transaction; while
 * that commit runs (an embedded PGlite works in its own thread), Y reads and parses the next chunks.
 *
 * Output layout (`out` is a local folder or `s3://bucket/prefix`):
 * `raw/transactions/chunk-*.csv`, `detections/detections-*.jsonl`, the Delta table
 * `processed/transaction_patterns/detections/`, the embedded catalog and X's position under `_lakehouse/`.
 */
import { join } from 'node:path';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { UsageError } from '../../etl/errors.js';
import { openStore } from '../../etl/storage/open-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { parseImportance, parseTransactions } from './banksim-csv.js';
import { chunkKey, DEFAULT_CHUNK_ROWS, ingestChunks, type IngestPosition } from './chunk-ingest.js';
import { DetectionOutput } from './detection-output.js';
import { PatternState, type ChunkInput } from './pattern-state.js';
import { objectAt } from './source-object.js';
import { openStateStore, type StateStore } from './state-store.js';

/** Options of a run. */
export interface TransactionPatternsOptions {
  /** URI of `transactions.csv`. */
  source: string;
  /** URI of `CustomerImportance.csv`. */
  importance: string;
  /** Output URI (local folder or s3://). */
  out: string;
  /** Wait between chunks in ms (default 1,000). */
  intervalMs?: number;
  /** Rows per chunk (default 10,000). */
  chunkRows?: number;
  /** PostgreSQL URL; default an embedded PGlite in `<out>/_lakehouse/transaction-patterns/pglite` (local `out` only). */
  postgres?: string;
  /** Stop X after this many chunks in this run (tests simulate a crash of X). */
  maxIngestChunks?: number;
  /** Stop Y after this many chunks in this run (tests simulate a crash of Y). */
  maxDetectChunks?: number;
  /** Progress callback. */
  onProgress?: (event: { mechanism: 'X' | 'Y'; chunk: number; rows: number; detections?: number }) => void;
  /** Clock (ms); tests may pin it. */
  now?: () => number;
}

/** What a run did. */
export interface TransactionPatternsSummary {
  /** `succeeded`, or `partial` when a `max*Chunks` limit stopped it early. */
  status: 'succeeded' | 'partial';
  /** X's position at the end. */
  ingest: IngestPosition;
  /** Chunks Y processed in this run. */
  chunksProcessed: number;
  /** Chunks Y found already processed (skipped) in this run. */
  chunksSkipped: number;
  /** Rows Y folded in during this run. */
  rowsProcessed: number;
  /** Detections emitted in this run. */
  detections: number;
  /** Detection files written in this run. */
  detectionFiles: number;
  /** Total detections so far. */
  totalDetections: number;
  /** Rows rejected by the parser so far. */
  rowsRejected: number;
  /** Wall time of the run in ms. */
  elapsedMs: number;
}

/** Where X keeps its position. */
export const STATE_PREFIX = '_lakehouse/transaction-patterns';

function defaultPglite(out: ObjectStore): string {
  const local = out.localPath(STATE_PREFIX);
  if (!local) throw new UsageError(`the output ${out.uri} is not a local folder: pass --postgres <url> for the state`);
  return join(local, 'pglite');
}

/** Most chunks Y commits in one transaction (when X is that far ahead). */
export const MAX_BATCH_CHUNKS = 10;

/** Run X and Y to the end of the source. */
export async function runTransactionPatterns(options: TransactionPatternsOptions): Promise<TransactionPatternsSummary> {
  const now = options.now ?? Date.now;
  const started = now();
  const out = openStore(options.out);
  const raw = new PrefixedStore(out, 'raw');
  const xState = new PrefixedStore(out, STATE_PREFIX);
  const source = objectAt(options.source);
  const importance = objectAt(options.importance);
  const pgTarget = options.postgres ?? defaultPglite(out);

  let wake: (() => void) | undefined;
  let news = false;
  const signal = () => {
    news = true;
    wake?.();
    wake = undefined;
  };
  let xDone = false;
  // X needs no state store: it starts at once and chunks the source while PostgreSQL opens.
  const stopX = new AbortController();
  const x = ingestChunks({
    source,
    raw,
    state: xState,
    chunkRows: options.chunkRows ?? DEFAULT_CHUNK_ROWS,
    intervalMs: options.intervalMs ?? 1000,
    signal: stopX.signal,
    ...(options.maxIngestChunks !== undefined ? { maxChunks: options.maxIngestChunks } : {}),
    onChunk: (chunk, rows) => {
      options.onProgress?.({ mechanism: 'X', chunk, rows });
      signal();
    },
  }).finally(() => {
    xDone = true;
    signal();
  });
  x.catch(() => undefined);

  // The importance file is read and parsed while the state store opens (PGlite works in its own thread).
  const opening = openStateStore(pgTarget);
  opening.catch(() => undefined);
  const weights = importance.store.get(importance.key).then((bytes) => parseImportance(bytes, importance.store.uriOf(importance.key)));
  weights.catch(() => undefined);
  let db: StateStore | undefined;
  try {
    db = await opening;
    const state = await PatternState.open(db);
    await state.loadImportance(await weights);
    const output = new DetectionOutput(out, new EmbeddedCatalog(out), state);

    const summary = { chunksProcessed: 0, chunksSkipped: 0, rowsProcessed: 0, detections: 0, detectionFiles: 0 };
    const roomAfter = (chunks: number) =>
      options.maxDetectChunks === undefined ? MAX_BATCH_CHUNKS : Math.min(MAX_BATCH_CHUNKS, options.maxDetectChunks - summary.chunksProcessed - chunks);
    /** Read and parse the chunks from `first` on that X has written, up to `room`. */
    const gather = async (first: number, room: number): Promise<ChunkInput[]> => {
      const batch: ChunkInput[] = [];
      while (batch.length < room) {
        const key = chunkKey(first + batch.length);
        if (!(await raw.head(key))) break;
        batch.push({ chunk: first + batch.length, rows: await parseTransactions(await raw.get(key), raw.uriOf(key)) });
      }
      return batch;
    };
    let next = (await state.progress()).lastChunk + 1;
    let stoppedEarly = false;
    let lastCommit = now();
    let prefetched: ChunkInput[] = [];
    for (;;) {
      const room = roomAfter(0);
      if (room <= 0) {
        stoppedEarly = true;
        break;
      }
      const finished = xDone;
      news = false;
      const batch = prefetched.length ? prefetched : await gather(next, room);
      prefetched = [];
      if (!batch.length) {
        if (finished) break;
        if (!news) {
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 200);
          });
        }
        continue;
      }
      const processing = state.processChunks(batch, { detectedAtMs: now(), yStartMs: started });
      // While PostgreSQL commits this batch, read and parse the next one.
      const nextRoom = roomAfter(batch.length);
      const prefetch = nextRoom > 0 ? gather(next + batch.length, nextRoom) : Promise.resolve([]);
      prefetch.catch(() => undefined);
      const outcomes = await processing;
      outcomes.forEach((outcome, i) => {
        if (outcome.processed) {
          summary.chunksProcessed++;
          summary.rowsProcessed += outcome.rows;
          summary.detections += outcome.detections;
        } else summary.chunksSkipped++;
        options.onProgress?.({ mechanism: 'Y', chunk: batch[i]!.chunk, rows: outcome.rows, detections: outcome.detections });
      });
      summary.detectionFiles += await output.flush(false);
      if (now() - lastCommit > 5000) {
        await output.commitTable();
        lastCommit = now();
      }
      next += batch.length;
      prefetched = await prefetch;
    }
    const ingest = await x;
    const partial = stoppedEarly || !ingest.done;
    summary.detectionFiles += await output.flush(!partial);
    await output.commitTable();
    const p = await state.progress();
    return {
      status: partial ? 'partial' : 'succeeded',
      ingest,
      ...summary,
      totalDetections: p.maxSeq,
      rowsRejected: p.rowsRejected,
      elapsedMs: now() - started,
    };
  } catch (err) {
    stopX.abort();
    await x.catch(() => undefined);
    throw err;
  } finally {
    await db?.close();
  }
}
