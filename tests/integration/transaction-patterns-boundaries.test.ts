/**
 * Pattern boundaries on generated BankSim data (planted cases on both sides of every threshold), and the
 * whole detection set checked against an independent DuckDB computation over the same chunks.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeBankSim, type WrittenBankSim } from '../../pipelines/transaction-patterns/banksim-files.js';
import { runTransactionPatterns, type TransactionPatternsSummary } from '../../pipelines/transaction-patterns/transaction-patterns-run.js';
import { detectionFiles } from '../support/pattern-outputs.js';
import { tempDir } from '../support/stores.js';

let data: WrittenBankSim;
let out: string;
let summary: TransactionPatternsSummary;
let lines: { patternId: string; ActionType: string; customerName: string; MerchantId: string; YStartTime: string; detectionTime: string }[];
let reference: Set<string>;

const key = (p: string, m: string, c: string) => `${p}|${m}|${c}`;

async function duckReference(raw: string, importance: string): Promise<Set<string>> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const q = (s: string) => s.replace(/'/g, "''");
  await con.run(`CREATE TABLE tx AS SELECT CAST(regexp_extract(filename, 'chunk-(\\d+)', 1) AS INTEGER) AS chunk, customer, gender, merchant, CAST(amount AS DECIMAL(18,2)) AS amount
    FROM read_csv('${q(raw)}/*.csv', quote = '''', header = true, filename = true, all_varchar = true)`);
  await con.run(`CREATE TABLE w AS SELECT Source AS customer, Target AS merchant, avg(CAST(Weight AS DECIMAL(18,2))) AS weight
    FROM read_csv('${q(importance)}', quote = '''', header = true, all_varchar = true) GROUP BY ALL`);
  await con.run('CREATE TABLE ks AS SELECT DISTINCT chunk AS k FROM tx');
  await con.run('CREATE TABLE cm AS SELECT k, merchant, customer, count(*) AS n, sum(amount) AS amt FROM ks JOIN tx ON tx.chunk <= ks.k GROUP BY ALL');
  const reader = await con.runAndReadAll(`
    WITH mt AS (SELECT k, merchant, sum(n) AS total FROM cm GROUP BY ALL),
    big AS (SELECT k, merchant FROM mt WHERE total > 50000),
    cr AS (SELECT cm.k, cm.merchant, cm.customer, percent_rank() OVER (PARTITION BY cm.k, cm.merchant ORDER BY cm.n) AS pr FROM cm JOIN big USING (k, merchant)),
    wr AS (SELECT cm.k, cm.merchant, cm.customer, percent_rank() OVER (PARTITION BY cm.k, cm.merchant ORDER BY w.weight) AS pr
           FROM cm JOIN big USING (k, merchant) JOIN w USING (merchant, customer)),
    genders AS (SELECT k, merchant, count(DISTINCT customer) FILTER (WHERE gender = 'F') AS f, count(DISTINCT customer) FILTER (WHERE gender = 'M') AS m
                FROM ks JOIN tx ON tx.chunk <= ks.k GROUP BY ALL)
    SELECT DISTINCT 'PatId1' AS p, cr.merchant, cr.customer FROM cr JOIN wr USING (k, merchant, customer) WHERE cr.pr >= 0.9 AND wr.pr <= 0.1
    UNION SELECT DISTINCT 'PatId2', merchant, customer FROM cm WHERE n >= 80 AND amt < 23 * n
    UNION SELECT DISTINCT 'PatId3', merchant, '' FROM genders WHERE f > 100 AND f < m`);
  const rows = reader.getRowObjects() as { p: string; merchant: string; customer: string }[];
  con.closeSync();
  return new Set(rows.map((r) => key(r.p, r.merchant, r.customer)));
}

beforeAll(async () => {
  const dir = tempDir('tp-boundaries-');
  data = await writeBankSim(join(dir, 'data'), { rows: 130_000, seed: 7 });
  out = join(dir, 'out');
  summary = await runTransactionPatterns({ source: join(dir, 'data', 'transactions.csv'), importance: join(dir, 'data', 'CustomerImportance.csv'), out, intervalMs: 0 });
  lines = detectionFiles(out).flatMap((f) => f.lines) as typeof lines;
  reference = await duckReference(join(out, 'raw', 'transactions'), join(dir, 'data', 'CustomerImportance.csv'));
}, 300_000);

const has = (p: string, m: string | undefined, c = '') => lines.some((l) => l.patternId === p && l.MerchantId === m && l.customerName === c);

test('the run ingests and processes every row once', () => {
  expect(summary.status).toBe('succeeded');
  expect(summary.ingest.rows).toBe(data.rows);
  expect(summary.rowsProcessed).toBe(data.rows);
  expect(summary.chunksProcessed).toBe(Math.ceil(data.rows / 10_000));
});

test('PatId1 UPGRADE: 50,001 merchant transactions detect the planted customers, 49,999 detect none', () => {
  for (const c of data.planted.upgradeCustomers) {
    expect(has('PatId1', data.planted.upgradeMerchant, c)).toBe(true);
    expect(has('PatId1', data.planted.upgradeMerchantUnder, c)).toBe(false);
  }
  expect(lines.filter((l) => l.MerchantId === data.planted.upgradeMerchantUnder)).toEqual([]);
  // Only the five with top counts AND bottom weights: the other heavy customers and other light-weight ones are not.
  expect(lines.filter((l) => l.patternId === 'PatId1' && l.MerchantId === data.planted.upgradeMerchant).map((l) => l.customerName).sort()).toEqual(
    [...data.planted.upgradeCustomers].sort(),
  );
  expect(lines.find((l) => l.patternId === 'PatId1')?.ActionType).toBe('UPGRADE');
});

test('PatId2 CHILD: 80 transactions averaging 22.99 match; 79 transactions and an average of 23.00 do not', () => {
  expect(has('PatId2', data.planted.childMerchant, data.planted.childCustomer)).toBe(true);
  expect(has('PatId2', data.planted.childMerchant, data.planted.childTooFew)).toBe(false);
  expect(has('PatId2', data.planted.childMerchant, data.planted.childAtLimit)).toBe(false);
  expect(lines.find((l) => l.patternId === 'PatId2')?.ActionType).toBe('CHILD');
});

test('PatId3 DEI-NEEDED: 101 female < 102 male matches; 100 female and 101 = 101 do not; customerName is empty', () => {
  expect(has('PatId3', data.planted.deiMerchant)).toBe(true);
  expect(has('PatId3', data.planted.deiTooFewFemale)).toBe(false);
  expect(has('PatId3', data.planted.deiEqual)).toBe(false);
  expect(lines.find((l) => l.patternId === 'PatId3')).toMatchObject({ ActionType: 'DEI-NEEDED', customerName: '' });
});

test('the detections equal an independent DuckDB computation over the same chunks, each emitted once', () => {
  const ours = lines.map((l) => key(l.patternId, l.MerchantId, l.customerName));
  expect(new Set(ours).size).toBe(ours.length);
  expect([...ours].sort()).toEqual([...reference].sort());
  expect(reference.size).toBeGreaterThanOrEqual(7);
});

test('times are IST and YStartTime precedes detectionTime', () => {
  for (const l of lines) {
    expect(l.YStartTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30$/);
    expect(l.detectionTime).toMatch(/\+05:30$/);
    expect(l.detectionTime >= l.YStartTime).toBe(true);
  }
});
