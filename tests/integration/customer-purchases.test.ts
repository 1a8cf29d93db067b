/** customer-purchases end to end on a generated data set with known answers: bronze, silver, gold, PostgreSQL (PGlite), replays. */
import { describe, expect, test } from '@jest/globals';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../../etl/clock.js';
import { customerPurchasesPipelineWith, runCustomerPurchases } from '../../pipelines/customer-purchases/customer-purchases-pipeline.js';
import { PgliteClient } from '../../pipelines/postgres/pglite-client.js';
import { tempDir } from '../support/stores.js';
import { queryWarehouse } from '../support/warehouse-query.js';

const HEADER = 'customer_id,first_name,last_name,email,purchase_id,purchase_date,amount,currency';

/** Day 1: good rows, an exact duplicate, an unknown currency and malformed rows (lines 2..). */
const FILE1 = [
  HEADER,
  '1,Ann,Lee,ann@example.com,101,2026-01-01,10.00,USD', // 15.00 AUD, replaced by file 2
  '1,Ann,Lee,ann@example.com,102,2026-01-02,20.00,AUD', // 20.00
  '2,Bob,Ray,bob@example.com,103,2026-01-01,100.00,USD', // 150.00
  '2,Bob,Ray,bob@example.com,103,2026-01-01,100.00,USD', // line 5: duplicate_row
  '3,Cat,Ng,cat@example.com,104,2026-01-03,5.50,AUD', // replaced by the late file
  '3,Cat,Ng,cat@example.com,105,2026-01-03,9.00,EUR', // line 7: range (no EUR rate)
  '4,Dan,Fox,not-an-email,106,2026-01-03,1.00,AUD', // line 8: range (email)
  '4,Dan,Fox,dan@example.com,107,2026-01-03,0.00,AUD', // line 9: range (amount > 0)
  '4,Dan,Fox,dan@example.com,108,2026-01-03,abc,AUD', // line 10: type
  'x1,Dan,Fox,dan@example.com,109,2026-01-03,1.00,AUD', // line 11: type
  '4,Dan,Fox,dan@example.com,110,2026-02-30,1.00,AUD', // line 12: timestamp_format
  '4,Dan,Fox,dan@example.com,111', // line 13: malformed_row
].join('\n');

/** Day 2: purchase 101 again (this later file wins), a new customer, a new purchase of customer 2. */
const FILE2 = [
  HEADER,
  '1,Ann,Lee,ann@example.com,101,2026-01-01,40.00,USD', // 60.00
  '4,Dan,Fox,dan@example.com,112,2026-01-05,200.00,AUD', // 200.00
  '2,Bob,Ray,bob@example.com,113,2026-01-04,10.00,USD', // 15.00
].join('\n');

/** Day 3, a late file: older purchase dates; purchase 104 corrected (latest file wins), an earlier purchase of customer 1, a new name for customer 3. */
const FILE3 = [
  HEADER,
  '1,Ann,Lee,ann@example.com,114,2025-12-20,1.00,AUD', // 1.00, new first purchase
  '3,Cathy,Ng,cathy@example.com,104,2026-01-03,7.00,AUD', // 7.00 replaces 5.50
  '5,Eve,Po,eve@example.com,115,2025-12-31,3.00,GBP', // range (no GBP rate)
].join('\n');

const EXPECTED = [
  { customer_id: 1, full_name: 'Ann Lee', email: 'ann@example.com', total_spent_aud: '81.00', first_purchase_date: '2025-12-20', last_purchase_date: '2026-01-02' },
  { customer_id: 2, full_name: 'Bob Ray', email: 'bob@example.com', total_spent_aud: '165.00', first_purchase_date: '2026-01-01', last_purchase_date: '2026-01-04' },
  { customer_id: 3, full_name: 'Cathy Ng', email: 'cathy@example.com', total_spent_aud: '7.00', first_purchase_date: '2026-01-03', last_purchase_date: '2026-01-03' },
  { customer_id: 4, full_name: 'Dan Fox', email: 'dan@example.com', total_spent_aud: '200.00', first_purchase_date: '2026-01-05', last_purchase_date: '2026-01-05' },
];

interface ServedRow {
  customer_id: number;
  full_name: string;
  email: string;
  total_spent_aud: string;
  first_purchase_date: string;
  last_purchase_date: string;
  updated_at: string;
}

async function served(warehouse: string): Promise<ServedRow[]> {
  const db = await PgliteClient.open(join(warehouse, '_lakehouse/postgres/lakehouse'));
  try {
    const { rows } = await db.query<ServedRow>(
      `SELECT customer_id, full_name, email, total_spent_aud::text AS total_spent_aud, first_purchase_date::text AS first_purchase_date,
              last_purchase_date::text AS last_purchase_date, updated_at::text AS updated_at
       FROM customer_purchase_summary ORDER BY customer_id`,
    );
    return rows;
  } finally {
    await db.close();
  }
}

const query = queryWarehouse;

const gold = (warehouse: string) =>
  query<Record<string, unknown>>(
    warehouse,
    `SELECT customer_id, full_name, email, CAST(total_spent_aud AS VARCHAR) AS total_spent_aud, CAST(first_purchase_date AS VARCHAR) AS first_purchase_date,
            CAST(last_purchase_date AS VARCHAR) AS last_purchase_date FROM customer_purchases.customer_purchase_summary ORDER BY customer_id`,
  );

/** The ingest_date folders of the landed files (archived once ingested: `archived/<run date>/purchases/ingest_date=...`). */
const ingestDates = (warehouse: string) =>
  [...new Set(readdirSync(join(warehouse, 'bronze/customer-purchases'), { recursive: true, encoding: 'utf8' }).flatMap((p) => /ingest_date=[\d-]+/.exec(p)?.[0] ?? []))].sort();

const day = (d: string) => fixedClock(Date.parse(`${d}T06:00:00Z`));
const strip = (rows: ServedRow[]) => rows.map(({ updated_at, ...r }) => r);

describe('customer-purchases on a generated data set', () => {
  const dir = tempDir('cp-');
  const source = join(dir, 'in');
  const warehouse = join(dir, 'warehouse');
  mkdirSync(source);
  const files = { '01-day.csv': FILE1, '02-day.csv': FILE2, '03-late.csv': FILE3 };
  const run = (clockDay: string, raw = source) => runCustomerPurchases({ settings: { warehouse, raw }, clock: day(clockDay) });

  test('day 1: typed and validated, duplicates and unknown currencies quarantined with their reasons, bronze by ingestion date', async () => {
    writeFileSync(join(source, '01-day.csv'), `${FILE1}\n`);
    const summary = await run('2026-01-01');
    expect(summary.error).toBeUndefined();
    expect(summary.stages.map((s) => `${s.name}:${s.status}`)).toEqual(['land:succeeded', 'silver:succeeded', 'gold:succeeded', 'serve:succeeded']);
    expect(summary.datasets[0]).toMatchObject({ name: 'purchases', read: 12, accepted: 4, rejected: 8 });
    expect(summary.datasets[0]!.rejectedByRule).toMatchObject({ duplicate_row: 1, range: 3, type: 2, timestamp_format: 1, malformed_row: 1 });
    const rejected = await query<{ rule: string; source_line: number; message: string }>(
      warehouse,
      'SELECT rule, source_line, message FROM customer_purchases.rejected_records ORDER BY source_line',
    );
    expect(rejected.map((r) => `${r.source_line}:${r.rule}`)).toEqual(['5:duplicate_row', '7:range', '8:range', '9:range', '10:type', '11:type', '12:timestamp_format', '13:malformed_row']);
    expect(rejected.find((r) => r.source_line === 7)!.message).toMatch(/currency EUR has no rate/);
    expect(ingestDates(warehouse)).toEqual(['ingest_date=2026-01-01']);
    expect(strip(await served(warehouse))).toEqual([
      { ...EXPECTED[0], total_spent_aud: '35.00', first_purchase_date: '2026-01-01' },
      { ...EXPECTED[1], total_spent_aud: '150.00', last_purchase_date: '2026-01-01' },
      { ...EXPECTED[2], full_name: 'Cat Ng', email: 'cat@example.com', total_spent_aud: '5.50' },
    ]);
  });

  test('day 2 and a late file on day 3: latest file wins on purchase_id, gold recomputed from all of silver, top_customers', async () => {
    writeFileSync(join(source, '02-day.csv'), `${FILE2}\n`);
    const second = await run('2026-01-02');
    expect(second.stages.find((s) => s.name === 'land')!.result).toMatchObject({ seen: 1 });
    expect(second.datasets[0]).toMatchObject({ read: 3, accepted: 3, rejected: 0 });
    writeFileSync(join(source, '03-late.csv'), `${FILE3}\n`);
    const third = await run('2026-01-03');
    expect(third.datasets[0]).toMatchObject({ read: 3, accepted: 2, rejected: 1, rejectedByRule: { range: 1 } });
    expect(ingestDates(warehouse)).toEqual([
      'ingest_date=2026-01-01',
      'ingest_date=2026-01-02',
      'ingest_date=2026-01-03',
    ]);
    expect(strip(await served(warehouse))).toEqual(EXPECTED);
    expect(await gold(warehouse)).toEqual(EXPECTED);
    const silver = await query<{ purchase_id: number; amount: unknown }>(warehouse, 'SELECT purchase_id, CAST(amount AS VARCHAR) AS amount FROM customer_purchases.purchases ORDER BY purchase_id');
    expect(silver.map((r) => `${r.purchase_id}:${String(r.amount)}`)).toEqual(['101:40.00', '102:20.00', '103:100.00', '104:7.00', '113:10.00', '112:200.00', '114:1.00'].sort());
    // Silver carries full_name, amount_aud (exact) and the ingestion date of the file each purchase last came in, and is partitioned by it.
    const enriched = await query<Record<string, string>>(
      warehouse,
      `SELECT CAST(purchase_id AS VARCHAR) || ' ' || full_name || ' ' || CAST(amount_aud AS VARCHAR) || ' ' || CAST(ingest_date AS VARCHAR) AS r
       FROM customer_purchases.purchases ORDER BY purchase_id`,
    );
    expect(enriched.map((r) => r.r)).toEqual([
      '101 Ann Lee 60.000000 2026-01-02',
      '102 Ann Lee 20.000000 2026-01-01',
      '103 Bob Ray 150.000000 2026-01-01',
      '104 Cathy Ng 7.000000 2026-01-03',
      '112 Dan Fox 200.000000 2026-01-02',
      '113 Bob Ray 15.000000 2026-01-02',
      '114 Ann Lee 1.000000 2026-01-03',
    ]);
    const table = join(warehouse, 'processed/customer_purchases/purchases');
    const partitions = readdirSync(table).filter((d) => d.startsWith('ingest_date=')).sort();
    expect(partitions).toEqual(['ingest_date=2026-01-01', 'ingest_date=2026-01-02', 'ingest_date=2026-01-03']);
    const dayOne = await query<{ n: bigint | number }>(warehouse, "SELECT count(*) AS n FROM customer_purchases.purchases WHERE ingest_date = DATE '2026-01-01'");
    expect(Number(dayOne[0]!.n)).toBe(2);
    const serve = third.stages.find((s) => s.name === 'serve')!.result as { top_customers: unknown };
    expect(serve.top_customers).toEqual([
      { customer_id: 4, full_name: 'Dan Fox', total_spent_aud: '200.00' },
      { customer_id: 2, full_name: 'Bob Ray', total_spent_aud: '165.00' },
      { customer_id: 1, full_name: 'Ann Lee', total_spent_aud: '81.00' },
      { customer_id: 3, full_name: 'Cathy Ng', total_spent_aud: '7.00' },
    ]);
    const gbp = await query<{ message: string }>(warehouse, "SELECT message FROM customer_purchases.rejected_records WHERE rule = 'range' AND message LIKE '%GBP%'");
    expect(gbp).toHaveLength(1);
  });

  test('replaying every file twice (same source, then copies landed as new files, twice) changes nothing: gold and PostgreSQL identical', async () => {
    const goldBefore = await gold(warehouse);
    const servedBefore = await served(warehouse);
    const same = await run('2026-01-04');
    expect(same.stages.find((s) => s.name === 'land')!.result).toEqual({ landed: [], seen: 3 });
    expect(same.datasets[0]!.read).toBe(0);
    for (const copy of ['replay-1', 'replay-2']) {
      const folder = join(dir, copy);
      mkdirSync(folder);
      for (const name of Object.keys(files)) copyFileSync(join(source, name), join(folder, name));
      const replay = await run('2026-01-05', folder);
      expect(replay.status).toBe('succeeded');
      expect(replay.datasets[0]!.read).toBe(18);
      expect(await gold(warehouse)).toEqual(goldBefore);
      expect(await served(warehouse)).toEqual(servedBefore);
    }
    const count = await query<{ n: number | bigint }>(warehouse, 'SELECT count(*) AS n FROM customer_purchases.purchases');
    expect(Number(count[0]!.n)).toBe(7);
  });
});

describe('customer-purchases with a configured rate table', () => {
  test('EUR priced by the table instead of quarantined (an Iceberg warehouse: silver partitioned by ingest_date there too)', async () => {
    const dir = tempDir('cp-rates-');
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'p.csv'), `${HEADER}\n7,Gil,Am,gil@example.com,1,2026-03-01,10.00,EUR\n7,Gil,Am,gil@example.com,2,2026-03-02,10.00,USD\n7,Gil,Am,gil@example.com,3,2026-03-02,1.00,AUD\n`);
    const warehouse = join(dir, 'warehouse');
    const pipeline = customerPurchasesPipelineWith({ rates: { USD: 1.5, AUD: 1, EUR: 1.65 } });
    const summary = await pipeline.run!({ settings: { warehouse, format: 'iceberg' }, source: join(dir, 'in'), clock: day('2026-03-03') });
    expect(summary.status).toBe('succeeded');
    expect(summary.datasets[0]).toMatchObject({ read: 3, accepted: 3, rejected: 0 });
    expect(strip(await served(warehouse))).toEqual([
      { customer_id: 7, full_name: 'Gil Am', email: 'gil@example.com', total_spent_aud: '32.50', first_purchase_date: '2026-03-01', last_purchase_date: '2026-03-02' },
    ]);
    expect(existsSync(join(warehouse, '_lakehouse/stages/customer-purchases.json'))).toBe(true);
    const silver = await query<{ r: string }>(
      warehouse,
      "SELECT CAST(purchase_id AS VARCHAR) || ' ' || currency || ' ' || CAST(amount_aud AS VARCHAR) || ' ' || CAST(ingest_date AS VARCHAR) AS r FROM customer_purchases.purchases ORDER BY purchase_id",
    );
    expect(silver.map((x) => x.r)).toEqual(['1 EUR 16.500000 2026-03-03', '2 USD 15.000000 2026-03-03', '3 AUD 1.000000 2026-03-03']);
    const metadata = readdirSync(join(warehouse, 'processed/customer_purchases/purchases/metadata')).filter((f) => f.endsWith('.metadata.json')).sort();
    const spec = JSON.parse(readFileSync(join(warehouse, 'processed/customer_purchases/purchases/metadata', metadata.at(-1)!), 'utf8')) as { 'partition-specs': { fields: { name: string }[] }[] };
    expect(spec['partition-specs'].at(-1)!.fields.map((f) => f.name)).toEqual(['ingest_date']);
  });
});
