/**
 * Mechanism Y's cumulative state in PostgreSQL, and the one transaction per chunk that makes processing
 * exactly-once: fold the chunk into the aggregates, emit the new detections and advance `last_chunk`,
 * all committed together (a chunk whose number is not `last_chunk + 1` is skipped or refused).
 */
import { readColumns, type TransactionColumns } from './banksim-csv.js';
import { ChunkSequenceError, InputFormatError } from './errors.js';
import { deiNeeded, EMIT_SQL, FOLD_SQL, upgradePossible } from './patterns.js';
import { ensureStateSchema } from './state-schema.js';
import type { BulkColumn, StateStore } from './state-store.js';

/** One emitted detection as stored. */
export interface StoredDetection {
  /** 1-based position in emission order (gapless). */
  seq: number;
  /** `PatId1`, `PatId2`, `PatId3`. */
  patternId: string;
  /** `UPGRADE`, `CHILD`, `DEI-NEEDED`. */
  actionType: string;
  /** Customer id, '' for PatId3. */
  customer: string;
  /** Merchant id. */
  merchant: string;
  /** When it was detected (epoch ms). */
  detectedAtMs: number;
  /** When the Y that detected it started (epoch ms). */
  yStartMs: number;
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
const STAGING_COLUMNS: BulkColumn[] = [
  { name: 'customer', type: 'text' },
  { name: 'gender', type: 'text' },
  { name: 'merchant', type: 'text' },
  { name: 'amount', type: 'numeric' },
];
const IMPORTANCE_COLUMNS: BulkColumn[] = [
  { name: 'customer', type: 'text' },
  { name: 'merchant', type: 'text' },
  { name: 'weight', type: 'numeric' },
];
const DECIMAL = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** The state, over a {@link StateStore}. */
export class PatternState {
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
   * Load `CustomerImportance.csv` once: the weight of (customer, merchant) is the average Weight over its
   * rows, across typeTrans. Resolves to the (customer, merchant) pairs loaded; 0 when loaded before.
   */
  async loadImportance(bytes: Uint8Array, what: string): Promise<number> {
    const [p] = await this.db.query<{ importance_loaded: boolean }>('SELECT importance_loaded FROM tp_progress WHERE id = 1');
    if (p?.importance_loaded) return 0;
    const { columns } = await readColumns(bytes, ['Source', 'Target', 'Weight'], what);
    const [source, target, weight] = columns as [string[], string[], string[]];
    for (let i = 0; i < weight.length; i++) {
      if (!DECIMAL.test(weight[i]!)) throw new InputFormatError(`${what}: Weight ${JSON.stringify(weight[i])} of row ${i + 1} is not a number`);
    }
    return this.db.transaction(async (sql) => {
      await sql.query('TRUNCATE tp_importance_staging');
      for (let i = 0; i < source.length; i += WEIGHT_BATCH) {
        await sql.bulkInsert('tp_importance_staging', IMPORTANCE_COLUMNS, [
          source.slice(i, i + WEIGHT_BATCH),
          target.slice(i, i + WEIGHT_BATCH),
          weight.slice(i, i + WEIGHT_BATCH),
        ]);
      }
      const rows = await sql.query<{ n: number }>(
        `WITH ins AS (
           INSERT INTO tp_weight (merchant, customer, weight)
           SELECT merchant, customer, avg(weight) FROM tp_importance_staging GROUP BY merchant, customer
           ON CONFLICT (merchant, customer) DO UPDATE SET weight = excluded.weight
           RETURNING 1
         ) SELECT count(*)::int AS n FROM ins`,
      );
      await sql.query('TRUNCATE tp_importance_staging');
      await sql.query('UPDATE tp_progress SET importance_loaded = true WHERE id = 1');
      return Number(rows[0]!.n);
    });
  }

  /** Process chunk `chunk` exactly once (see the class comment). */
  async processChunk(chunk: number, rows: TransactionColumns, times: { detectedAtMs: number; yStartMs: number }): Promise<ChunkOutcome> {
    return this.db.transaction(async (sql) => {
      const [p] = await sql.query<{ last_chunk: number }>('SELECT last_chunk FROM tp_progress WHERE id = 1 FOR UPDATE');
      const last = Number(p!.last_chunk);
      if (chunk <= last) return { processed: false, detections: 0, rows: 0 };
      if (chunk !== last + 1) throw new ChunkSequenceError(`chunk ${chunk} arrived, but the last processed is ${last}: chunk ${last + 1} is missing`);
      await sql.bulkInsert('tp_staging', STAGING_COLUMNS, [rows.customer, rows.gender, rows.merchant, rows.amount]);
      const merchants = await sql.query<{ merchant: string; txn_count: number; female: number; male: number }>(FOLD_SQL);
      const big = merchants.filter((m) => upgradePossible({ txn_count: Number(m.txn_count) })).map((m) => m.merchant);
      const dei = merchants.filter((m) => deiNeeded({ female: Number(m.female), male: Number(m.male) })).map((m) => m.merchant);
      const emitted = await sql.query(EMIT_SQL, [big, dei, times.detectedAtMs, times.yStartMs, chunk]);
      await sql.query('TRUNCATE tp_staging, tp_child_candidates');
      await sql.query('UPDATE tp_progress SET last_chunk = $1, rows_processed = rows_processed + $2, rows_rejected = rows_rejected + $3 WHERE id = 1', [
        chunk,
        rows.customer.length,
        rows.rejected,
      ]);
      return { processed: true, detections: emitted.length, rows: rows.customer.length };
    });
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
