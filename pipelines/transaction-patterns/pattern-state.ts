/**
 * Mechanism Y's cumulative state in PostgreSQL, and the one transaction per batch of consecutive chunks
 * that makes processing exactly-once: the chunks are folded into the in-memory mirror of the state
 * ({@link StateMirror}, loaded from PostgreSQL), the patterns are evaluated after each chunk, and the
 * increments to the aggregates, the new detections and the advanced `last_chunk` are committed together.
 * A chunk whose number is not `last_chunk + 1` is skipped (processed before) or refused (a gap). When the
 * commit fails, the mirror is dropped and loaded again from PostgreSQL.
 */
import type { ImportanceColumns, TransactionColumns } from './banksim-csv.js';
import { BatchDelta, foldChunk } from './chunk-fold.js';
import { detectChunk, type DetectionTimes } from './chunk-detect.js';
import type { NewDetection, StoredDetection } from './detection.js';
import { ChunkSequenceError } from './errors.js';
import { ensureStateSchema } from './state-schema.js';
import { StateMirror } from './state-mirror.js';
import type { BulkColumn, StateStore } from './state-store.js';
import { writeBatch } from './state-write.js';

export type { StoredDetection } from './detection.js';

/** One chunk to process. */
export interface ChunkInput {
  /** Chunk number. */
  chunk: number;
  /** Its parsed rows. */
  rows: TransactionColumns;
}

/** The outcome of one chunk. */
export interface ChunkOutcome {
  /** False when the chunk had been processed before (nothing changed). */
  processed: boolean;
  /** Detections the chunk emitted. */
  detections: number;
  /** Rows folded in. */
  rows: number;
}

/** Progress recorded in the state. */
export interface StateProgress {
  /** Last chunk processed, -1 before the first. */
  lastChunk: number;
  /** Rows folded in. */
  rowsProcessed: number;
  /** Rows rejected by the chunk parser. */
  rowsRejected: number;
  /** Highest detection seq written to a detection file. */
  flushedSeq: number;
  /** Highest detection seq. */
  maxSeq: number;
}

const WEIGHT_BATCH = 50_000;
const IMPORTANCE_COLUMNS: BulkColumn[] = [
  { name: 'customer', type: 'text' },
  { name: 'merchant', type: 'text' },
  { name: 'weight', type: 'numeric' },
];

/** The state, over a {@link StateStore}. */
export class PatternState {
  private mirror: StateMirror | undefined;

  private constructor(readonly db: StateStore) {}

  /** Create the tables when absent and return the state. */
  static async open(db: StateStore): Promise<PatternState> {
    await ensureStateSchema(db);
    return new PatternState(db);
  }

  /** Progress so far. */
  async progress(): Promise<StateProgress> {
    const [p] = await this.db.query<{ last_chunk: number; rows_processed: string; rows_rejected: string; flushed_seq: string; max_seq: string }>(
      `SELECT last_chunk, rows_processed::text, rows_rejected::text, flushed_seq::text,
              (SELECT coalesce(max(seq), 0) FROM tp_detections)::text AS max_seq FROM tp_progress WHERE id = 1`,
    );
    return {
      lastChunk: Number(p!.last_chunk),
      rowsProcessed: Number(p!.rows_processed),
      rowsRejected: Number(p!.rows_rejected),
      flushedSeq: Number(p!.flushed_seq),
      maxSeq: Number(p!.max_seq),
    };
  }

  /**
   * Load the rows of `CustomerImportance.csv` once, as they are (the weight of a customer with a merchant,
   * the average Weight of its rows across typeTrans, is computed per merchant when the merchant can match
   * PatId1). Resolves to the rows loaded; 0 when loaded before.
   */
  async loadImportance(importance: ImportanceColumns): Promise<number> {
    const [p] = await this.db.query<{ importance_loaded: boolean }>('SELECT importance_loaded FROM tp_progress WHERE id = 1');
    if (p?.importance_loaded) return 0;
    const { customer, merchant, weight } = importance;
    await this.db.transaction(async (sql) => {
      for (let i = 0; i < customer.length; i += WEIGHT_BATCH) {
        await sql.bulkInsert('tp_importance', IMPORTANCE_COLUMNS, [customer.slice(i, i + WEIGHT_BATCH), merchant.slice(i, i + WEIGHT_BATCH), weight.slice(i, i + WEIGHT_BATCH)]);
      }
      await sql.query('UPDATE tp_progress SET importance_loaded = true WHERE id = 1');
    });
    // Weight ranks read before the weights were loaded are stale.
    for (const m of this.mirror?.merchantById ?? []) {
      m.weightRanks = undefined;
      for (const pair of m.pairs.values()) pair.weightRank = undefined;
    }
    return customer.length;
  }

  /** Process chunk `chunk` exactly once (see the class comment). */
  async processChunk(chunk: number, rows: TransactionColumns, times: DetectionTimes): Promise<ChunkOutcome> {
    const [outcome] = await this.processChunks([{ chunk, rows }], times);
    return outcome!;
  }

  /**
   * Process consecutive chunks exactly once, committed in one transaction; patterns are evaluated after
   * each chunk. Chunks processed before are skipped; a chunk after a missing one is {@link ChunkSequenceError}.
   */
  async processChunks(chunks: readonly ChunkInput[], times: DetectionTimes): Promise<ChunkOutcome[]> {
    const mirror = (this.mirror ??= await StateMirror.load(this.db));
    const after = mirror.lastChunk;
    const todo: ChunkInput[] = [];
    for (const c of chunks) {
      if (c.chunk <= after) continue;
      const expected = after + todo.length + 1;
      if (c.chunk !== expected) throw new ChunkSequenceError(`chunk ${c.chunk} arrived, but the last processed is ${expected - 1}: chunk ${expected} is missing`);
      todo.push(c);
    }
    const outcomes = new Map<number, ChunkOutcome>();
    if (todo.length) {
      const delta = new BatchDelta();
      const detections: NewDetection[] = [];
      let written: boolean;
      try {
        for (const c of todo) {
          const touched = foldChunk(mirror, c.rows, delta);
          const found = await detectChunk(mirror, this.db, touched, c.chunk, times);
          detections.push(...found);
          outcomes.set(c.chunk, { processed: true, detections: found.length, rows: c.rows.customer.length });
        }
        const range = { after, last: todo[todo.length - 1]!.chunk };
        written = await this.db.transaction((sql) => writeBatch(sql, mirror, delta, detections, range));
        if (written) mirror.lastChunk = range.last;
      } catch (err) {
        this.mirror = undefined;
        throw err;
      }
      if (!written) {
        // Another Y committed some of these chunks: start again from what PostgreSQL holds.
        this.mirror = undefined;
        return this.processChunks(chunks, times);
      }
    }
    return chunks.map((c) => outcomes.get(c.chunk) ?? { processed: false, detections: 0, rows: 0 });
  }

  /** Detections with `from < seq <= to`, in seq order. */
  async detections(from: number, to: number): Promise<StoredDetection[]> {
    const rows = await this.db.query<{ seq: string; pattern_id: string; action_type: string; customer: string; merchant: string; detected_at_ms: number; y_start_ms: number }>(
      `SELECT seq::text, pattern_id, action_type, customer, merchant, detected_at_ms, y_start_ms
       FROM tp_detections WHERE seq > $1 AND seq <= $2 ORDER BY seq`,
      [from, to],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      patternId: r.pattern_id,
      actionType: r.action_type,
      customer: r.customer,
      merchant: r.merchant,
      detectedAtMs: Number(r.detected_at_ms),
      yStartMs: Number(r.y_start_ms),
    }));
  }

  /** Record that detections up to `seq` are in detection files. */
  async setFlushed(seq: number): Promise<void> {
    await this.db.query('UPDATE tp_progress SET flushed_seq = greatest(flushed_seq, $1) WHERE id = 1', [seq]);
  }
}
