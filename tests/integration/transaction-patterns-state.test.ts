/**
 * Mechanism Y's state: PostgreSQL is authoritative and the in-memory mirror follows it. A new state on the
 * same database continues from what PostgreSQL holds, another Y committing first makes a batch start
 * again from PostgreSQL, and a change behind the mirror's back fails the batch instead of going unseen.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import type { TransactionColumns } from '../../pipelines/transaction-patterns/banksim-csv.js';
import { PatternState } from '../../pipelines/transaction-patterns/pattern-state.js';
import { openStateStore, type StateStore } from '../../pipelines/transaction-patterns/state-store.js';

const TIMES = { detectedAtMs: 0, yStartMs: 0 };

/** `n` rows of `amount` for customers C0..C(k-1) at merchant M1, alternating F and M. */
function rows(n: number, k: number, amount = '10.00'): TransactionColumns {
  const out: TransactionColumns = { customer: [], gender: [], merchant: [], amount: [], rejected: 0 };
  for (let i = 0; i < n; i++) {
    out.customer.push(`C${i % k}`);
    out.gender.push(i % k % 2 ? 'M' : 'F');
    out.merchant.push('M1');
    out.amount.push(amount);
  }
  return out;
}

async function totals(db: StateStore) {
  const [t] = await db.query<{ last_chunk: number; rows: string; pairs: string; amount: string; merchant: string }>(
    `SELECT last_chunk, rows_processed::text AS rows, (SELECT sum(txn_count) FROM tp_customer_merchant)::text AS pairs,
            (SELECT sum(amount_sum) FROM tp_customer_merchant)::text AS amount, (SELECT txn_count FROM tp_merchants WHERE name = 'M1')::text AS merchant
     FROM tp_progress`,
  );
  return t;
}

let db: StateStore;
beforeEach(async () => {
  db = await openStateStore(undefined);
});
afterEach(async () => {
  await db.close();
});

test('a new state on the same database continues from what PostgreSQL holds', async () => {
  const a = await PatternState.open(db);
  await a.processChunks([{ chunk: 0, rows: rows(100, 10) }, { chunk: 1, rows: rows(100, 10) }], TIMES);
  const b = await PatternState.open(db);
  const outcomes = await b.processChunks([{ chunk: 1, rows: rows(100, 10) }, { chunk: 2, rows: rows(50, 10) }], TIMES);
  expect(outcomes.map((o) => o.processed)).toEqual([false, true]);
  expect(await totals(db)).toEqual({ last_chunk: 2, rows: '250', pairs: '250', amount: '2500.00', merchant: '250' });
  // 25 transactions each: 80 would make them CHILD candidates; 55 more each, at 1.00, bring each to 80.
  const outcome = await b.processChunk(3, rows(550, 10, '1.00'), TIMES);
  expect(outcome).toEqual({ processed: true, detections: 10, rows: 550 });
  expect((await b.detections(0, 100)).map((d) => d.customer).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `C${i}`).sort());
});

test('when another Y committed a chunk first, the batch starts again from PostgreSQL: nothing is folded twice', async () => {
  const late = await PatternState.open(db);
  await late.processChunks([], TIMES); // loads its mirror: nothing processed yet
  const early = await PatternState.open(db);
  await early.processChunk(0, rows(100, 10), TIMES);
  const outcomes = await late.processChunks([{ chunk: 0, rows: rows(100, 10) }, { chunk: 1, rows: rows(30, 10) }], TIMES);
  expect(outcomes.map((o) => o.processed)).toEqual([false, true]);
  expect(await totals(db)).toEqual({ last_chunk: 1, rows: '130', pairs: '130', amount: '1300.00', merchant: '130' });
});

test('a change to PostgreSQL behind the mirror fails the batch; the state then follows PostgreSQL', async () => {
  const state = await PatternState.open(db);
  await state.processChunk(0, rows(100, 10), TIMES);
  await db.query("UPDATE tp_merchants SET txn_count = txn_count + 1000 WHERE name = 'M1'");
  await expect(state.processChunk(1, rows(100, 10), TIMES)).rejects.toMatchObject({ code: 'state_store', kind: 'terminal' });
  expect(await totals(db)).toMatchObject({ last_chunk: 0, rows: '100' });
  await state.processChunk(1, rows(100, 10), TIMES);
  expect(await totals(db)).toMatchObject({ last_chunk: 1, rows: '200', pairs: '200', merchant: '1200' });
});
