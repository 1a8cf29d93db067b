/** customer-transactions end to end on the real sertis data and on hand-worked cases: bronze, silver, gold, PostgreSQL (PGlite). */
import { describe, expect, test } from '@jest/globals';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCustomerTransactions } from '../../pipelines/customer-transactions/customer-transactions-pipeline.js';
import { PgliteClient } from '../../pipelines/postgres/pglite-client.js';
import { tempDir } from '../support/stores.js';
import { queryWarehouse } from '../support/warehouse-query.js';

const REAL = '/work/shared/data/sertis/transaction.csv';

async function served(warehouse: string, table = 'customers') {
  const db = await PgliteClient.open(join(warehouse, '_lakehouse/postgres/lakehouse'));
  try {
    const { rows } = await db.query<{ customer_id: string; favourite_product: string; longest_streak: number; updated_at: string }>(
      `SELECT customer_id, favourite_product, longest_streak, updated_at::text AS updated_at FROM "${table}" ORDER BY customer_id`,
    );
    return rows;
  } finally {
    await db.close();
  }
}

const query = queryWarehouse;

/** Favourite product and longest streak per customer, worked out in plain code from the file. */
function expectedFrom(text: string): Map<string, { favourite_product: string; longest_streak: number }> {
  const lines = [...new Set(text.trim().split('\n').slice(1))];
  const units = new Map<string, Map<string, number>>();
  const days = new Map<string, Set<number>>();
  for (const line of lines) {
    const [, cust, date, product, n] = line.split('|');
    const u = units.get(cust!) ?? new Map<string, number>();
    u.set(product!, (u.get(product!) ?? 0) + Number(n));
    units.set(cust!, u);
    const d = days.get(cust!) ?? new Set<number>();
    d.add(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
    days.set(cust!, d);
  }
  const out = new Map<string, { favourite_product: string; longest_streak: number }>();
  for (const [cust, u] of units) {
    const fav = [...u].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    const sorted = [...days.get(cust)!].sort((a, b) => a - b);
    let best = 1;
    let run = 1;
    for (let i = 1; i < sorted.length; i++) {
      run = sorted[i] === sorted[i - 1]! + 1 ? run + 1 : 1;
      best = Math.max(best, run);
    }
    out.set(cust, { favourite_product: fav, longest_streak: best });
  }
  return out;
}

describe('customer-transactions on the real data', () => {
  const dir = tempDir('ct-real-');
  const source = join(dir, 'source');
  const warehouse = join(dir, 'warehouse');
  mkdirSync(source);
  copyFileSync(REAL, join(source, 'transaction.csv'));
  const request = { settings: { warehouse }, source: join(source, 'transaction.csv') };

  test('first run: every row read, exact duplicates quarantined, customer 0023938 -> PURA250, 2, every customer as computed by hand', async () => {
    const summary = await runCustomerTransactions(request);
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    const ds = summary.datasets[0]!;
    expect(ds.read).toBe(13355);
    expect(ds.read).toBe(ds.accepted + ds.rejected);
    expect(ds.rejectedByRule.duplicate_row).toBeGreaterThan(0);
    expect(ds.rejected).toBe(ds.rejectedByRule.duplicate_row);
    const distinct = new Set(readFileSync(REAL, 'utf8').trim().split('\n').slice(1)).size;
    expect(ds.accepted).toBe(distinct);

    const gold = await query<{ customer_id: string; favourite_product: string; longest_streak: number }>(
      warehouse,
      "SELECT customer_id, favourite_product, longest_streak FROM customer_transactions.customers WHERE customer_id = '0023938'",
    );
    expect(gold).toEqual([{ customer_id: '0023938', favourite_product: 'PURA250', longest_streak: 2 }]);

    const rows = await served(warehouse);
    expect(rows).toHaveLength(885);
    const expected = expectedFrom(readFileSync(REAL, 'utf8'));
    expect(rows.map(({ updated_at, ...r }) => r)).toEqual([...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([customer_id, v]) => ({ customer_id, ...v })));
    expect(rows.find((r) => r.customer_id === '0023938')).toMatchObject({ favourite_product: 'PURA250', longest_streak: 2 });
  });

  test('a re-run with the same source changes nothing: no new files, same gold, same PostgreSQL rows (updated_at too)', async () => {
    const before = await served(warehouse);
    const summary = await runCustomerTransactions(request);
    expect(summary.status).toBe('succeeded');
    expect(summary.stages.find((s) => s.name === 'land')!.result).toEqual({ landed: [], seen: 1 });
    expect(summary.datasets[0]!.read).toBe(0);
    expect(await served(warehouse)).toEqual(before);
  });

  test('the same rows arriving again in another file merge onto their keys: no duplicates anywhere', async () => {
    const before = await served(warehouse);
    const count = (await query<{ n: number }>(warehouse, 'SELECT count(*) AS n FROM customer_transactions.transactions'))[0]!.n;
    const again = join(dir, 'again');
    mkdirSync(again);
    copyFileSync(REAL, join(again, 'resent.csv'));
    const summary = await runCustomerTransactions({ ...request, source: again });
    expect(summary.status).toBe('succeeded');
    expect(summary.datasets[0]!.read).toBe(13355);
    const n = (await query<{ n: number }>(warehouse, 'SELECT count(*) AS n FROM customer_transactions.transactions'))[0]!.n;
    expect(n).toBe(count);
    expect(await served(warehouse)).toEqual(before);
  });
});

describe('customer-transactions on hand-worked cases', () => {
  const FILE = [
    'transactionId|custId|transactionDate|productSold|unitsSold',
    // 0000001: AAA 3+2 = 5 ties BBB 5 -> AAA; days 01-31, 02-01 (across the month end), 02-03 -> 2
    't1|0000001|2012-01-31|BBB|5',
    't1|0000001|2012-01-31|AAA|3',
    't2|0000001|2012-02-01|AAA|2',
    't3|0000001|2012-02-03|CCC|1',
    // 0000002: leap day; the exact duplicate YYY row counts once -> ZZZ 11 beats YYY 4 (8 if doubled); 02-28, 02-29, 03-01 -> 3
    't4|0000002|2012-02-28|ZZZ|10',
    't5|0000002|2012-02-29|ZZZ|1',
    't6|0000002|2012-03-01|YYY|4',
    't6|0000002|2012-03-01|YYY|4',
    't6|0000002|2012-03-01|YYY|4',
    // 0000003: QQQ 1 (duplicate dropped) ties PPP 1 and RRR 1 -> PPP; 12-31 -> 01-01 across the year end -> 2
    't7|0000003|2011-12-31|QQQ|1',
    't7|0000003|2011-12-31|QQQ|1',
    't7|0000003|2011-12-31|PPP|1',
    't10|0000003|2012-01-01|RRR|1',
    // rejected: units 0 (range), units not a number (type), a bad date, a short row
    't8|0000003|2012-01-02|QQQ|0',
    't9|0000003|2012-01-02|QQQ|x',
    't9|0000003|2012-02-30|QQQ|1',
    't11|0000003|2012-01-02',
    // 0000004: one purchase day -> 1
    't12|0000004|2012-05-05|SUPA101|7',
  ].join('\n');

  test('ties, streaks across month and year ends, duplicates and invalid rows', async () => {
    const dir = tempDir('ct-hand-');
    const source = join(dir, 'in');
    mkdirSync(source);
    writeFileSync(join(source, 'day1.csv'), `${FILE}\n`);
    const warehouse = join(dir, 'warehouse');
    const summary = await runCustomerTransactions({ settings: { warehouse }, source, table: 'customer_stats' });
    expect(summary.error).toBeUndefined();
    expect(summary.datasets[0]).toMatchObject({ read: 18, accepted: 11, rejected: 7 });
    expect(summary.datasets[0]!.rejectedByRule).toMatchObject({ duplicate_row: 3, range: 1, type: 1, timestamp_format: 1, malformed_row: 1 });
    const rows = await served(warehouse, 'customer_stats');
    expect(rows.map(({ updated_at, ...r }) => r)).toEqual([
      { customer_id: '0000001', favourite_product: 'AAA', longest_streak: 2 },
      { customer_id: '0000002', favourite_product: 'ZZZ', longest_streak: 3 },
      { customer_id: '0000003', favourite_product: 'PPP', longest_streak: 2 },
      { customer_id: '0000004', favourite_product: 'SUPA101', longest_streak: 1 },
    ]);
    const rejected = await query<{ rule: string; source_line: number }>(warehouse, 'SELECT rule, source_line FROM customer_transactions.rejected_records ORDER BY source_line');
    expect(rejected.map((r) => `${r.source_line}:${r.rule}`)).toEqual(['9:duplicate_row', '10:duplicate_row', '12:duplicate_row', '15:range', '16:type', '17:timestamp_format', '18:malformed_row']);

    // A later file: 0000004 buys on the next two days -> streak 3, and more SUPA102 than SUPA101 -> gold recomputed from all rows.
    writeFileSync(join(source, 'day2.csv'), 'transactionId|custId|transactionDate|productSold|unitsSold\nt13|0000004|2012-05-06|SUPA102|5\nt14|0000004|2012-05-07|SUPA102|5\n');
    const second = await runCustomerTransactions({ settings: { warehouse }, source, table: 'customer_stats' });
    expect(second.stages.find((s) => s.name === 'land')!.result).toMatchObject({ seen: 1 });
    const after = await served(warehouse, 'customer_stats');
    expect(after.find((r) => r.customer_id === '0000004')).toMatchObject({ favourite_product: 'SUPA102', longest_streak: 3 });
    expect(after.find((r) => r.customer_id === '0000001')!.updated_at).toBe(rows[0]!.updated_at);
  });

  test('a failed serving stage is resumed by the next run, at that stage, with the same run id', async () => {
    const dir = tempDir('ct-resume-');
    const source = join(dir, 'in');
    mkdirSync(source);
    writeFileSync(join(source, 'day1.csv'), `${FILE}\n`);
    const warehouse = join(dir, 'warehouse');
    const failed = await runCustomerTransactions({ settings: { warehouse }, source, postgres: { url: 'postgres://nobody@127.0.0.1:1/none' } });
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('postgres');
    expect(failed.stages.map((s) => `${s.name}:${s.status}`)).toEqual(['land:succeeded', 'silver:succeeded', 'gold:succeeded', 'serve:failed']);
    const resumed = await runCustomerTransactions({ settings: { warehouse }, source });
    expect(resumed.status).toBe('succeeded');
    expect(resumed.resumed).toBe(true);
    expect(resumed.runId).toBe(failed.runId);
    expect(resumed.stages.map((s) => `${s.name}:${s.status}`)).toEqual(['land:succeeded', 'silver:succeeded', 'gold:succeeded', 'serve:succeeded']);
    expect((await served(warehouse)).length).toBe(4);
    const next = await runCustomerTransactions({ settings: { warehouse }, source });
    expect(next.resumed).toBe(false);
    expect(next.runId).not.toBe(failed.runId);
  });
});
