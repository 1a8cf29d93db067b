/**
 * Writes one batch of chunks to PostgreSQL inside the caller's transaction: the new customer ids, the
 * per-pair and per-merchant increments (PostgreSQL adds them to its cumulative totals), the new
 * detections and the advanced progress. The merchants' new totals come back and are checked against the
 * in-memory mirror, so the two can never drift apart silently.
 */
import type { BatchDelta } from './chunk-fold.js';
import type { NewDetection } from './detection.js';
import { StateStoreError } from './errors.js';
import type { StateMirror } from './state-mirror.js';
import type { BulkColumn, StateSql } from './state-store.js';

/** Which chunks the batch holds. */
export interface BatchRange {
  /** The last chunk processed before the batch (`last_chunk` must still say so). */
  after: number;
  /** The last chunk of the batch. */
  last: number;
}

const CUSTOMER_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'int' },
  { name: 'name', type: 'text' },
];
const PAIR_COLUMNS: BulkColumn[] = [
  { name: 'merchant', type: 'int' },
  { name: 'customer', type: 'int' },
  { name: 'txn_count', type: 'int' },
  { name: 'amount_sum', type: 'numeric' },
  { name: 'has_female', type: 'boolean' },
  { name: 'has_male', type: 'boolean' },
];

/** Add the staged increments to pairs PostgreSQL holds already; resolves to the pairs updated. */
const UPDATE_PAIRS = `
WITH updated AS (
  UPDATE tp_customer_merchant AS t SET
    txn_count = t.txn_count + s.txn_count,
    amount_sum = t.amount_sum + s.amount_sum,
    has_female = t.has_female OR s.has_female,
    has_male = t.has_male OR s.has_male
  FROM tp_pair_staging s
  WHERE t.merchant = s.merchant AND t.customer = s.customer
  RETURNING 1
) SELECT count(*)::int AS n FROM updated`;

const UPSERT_MERCHANTS = `
INSERT INTO tp_merchants AS t (id, name, txn_count, female, male)
SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[], $4::int[], $5::int[])
ON CONFLICT (id) DO UPDATE SET
  txn_count = t.txn_count + excluded.txn_count,
  female = t.female + excluded.female,
  male = t.male + excluded.male
RETURNING id, txn_count::text AS txn_count, female, male`;

const INSERT_DETECTIONS = `
INSERT INTO tp_detections (seq, pattern_id, action_type, customer, merchant, detected_at_ms, y_start_ms, chunk)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::int[])`;

const flag = (b: boolean): string => (b ? 't' : 'f');

/**
 * Write the batch. Resolves to false, writing nothing, when `last_chunk` is no longer `range.after`
 * (another Y got there first); throws {@link StateStoreError} when PostgreSQL's totals differ from the mirror.
 */
export async function writeBatch(sql: StateSql, mirror: StateMirror, delta: BatchDelta, detections: readonly NewDetection[], range: BatchRange): Promise<boolean> {
  const [p] = await sql.query<{ last_chunk: number }>('SELECT last_chunk FROM tp_progress WHERE id = 1 FOR UPDATE');
  if (Number(p!.last_chunk) !== range.after) return false;
  if (delta.newCustomers.length) {
    await sql.bulkInsert('tp_customers', CUSTOMER_COLUMNS, [delta.newCustomers.map(String), delta.newCustomers.map((id) => mirror.customerNames[id]!)]);
  }
  if (delta.pairs.length) {
    // Pairs new in this batch are inserted as they are; the others get their increments added (a pair
    // the mirror takes for new but PostgreSQL holds violates the primary key and fails the batch).
    const fresh: string[][] = PAIR_COLUMNS.map(() => []);
    const known: string[][] = PAIR_COLUMNS.map(() => []);
    for (const before of delta.pairs) {
      const pair = before.pair;
      const cols = before.txns === 0 ? fresh : known;
      cols[0]!.push(String(pair.merchant.id));
      cols[1]!.push(String(pair.customer));
      cols[2]!.push(String(pair.txns - before.txns));
      cols[3]!.push(pair.amount.minus(before.amount).toString());
      cols[4]!.push(flag(pair.female && !before.female));
      cols[5]!.push(flag(pair.male && !before.male));
    }
    await sql.bulkInsert('tp_customer_merchant', PAIR_COLUMNS, fresh);
    if (known[0]!.length) {
      await sql.bulkInsert('tp_pair_staging', PAIR_COLUMNS, known);
      const [updated] = await sql.query<{ n: number }>(UPDATE_PAIRS);
      await sql.exec('TRUNCATE tp_pair_staging');
      if (Number(updated!.n) !== known[0]!.length) {
        throw new StateStoreError(`PostgreSQL holds ${updated!.n} of the ${known[0]!.length} customer-merchant pairs the mirror holds`, false);
      }
    }
  }
  if (delta.merchants.length) {
    const totals = await sql.query<{ id: number; txn_count: string; female: number; male: number }>(UPSERT_MERCHANTS, [
      delta.merchants.map((b) => b.merchant.id),
      delta.merchants.map((b) => b.merchant.name),
      delta.merchants.map((b) => b.merchant.txns - b.txns),
      delta.merchants.map((b) => b.merchant.female - b.female),
      delta.merchants.map((b) => b.merchant.male - b.male),
    ]);
    for (const t of totals) {
      const m = mirror.merchantById[Number(t.id)]!;
      if (Number(t.txn_count) !== m.txns || Number(t.female) !== m.female || Number(t.male) !== m.male) {
        throw new StateStoreError(
          `merchant ${m.name}: PostgreSQL holds ${t.txn_count} transactions, ${t.female} female, ${t.male} male customers; the mirror ${m.txns}, ${m.female}, ${m.male}`,
          false,
        );
      }
    }
  }
  if (detections.length) {
    await sql.query(INSERT_DETECTIONS, [
      detections.map((d) => d.seq),
      detections.map((d) => d.patternId),
      detections.map((d) => d.actionType),
      detections.map((d) => d.customer),
      detections.map((d) => d.merchant),
      detections.map((d) => d.detectedAtMs),
      detections.map((d) => d.yStartMs),
      detections.map((d) => d.chunk),
    ]);
  }
  await sql.query('UPDATE tp_progress SET last_chunk = $1, rows_processed = rows_processed + $2, rows_rejected = rows_rejected + $3 WHERE id = 1', [
    range.last,
    delta.rows,
    delta.rejected,
  ]);
  return true;
}
