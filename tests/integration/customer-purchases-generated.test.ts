/**
 * customer-purchases over a seeded generated data set (tests/support/purchase-drops.ts) against an
 * independent model: six daily runs with duplicates across files, a late file, unknown currencies and
 * malformed rows; then every file replayed twice, which must change nothing.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock } from '../../etl/clock.js';
import { runCustomerPurchases } from '../../pipelines/customer-purchases/customer-purchases-pipeline.js';
import { PgliteClient } from '../../pipelines/postgres/pglite-client.js';
import { generatePurchaseDrops, type SummaryRow } from '../support/purchase-drops.js';
import { tempDir } from '../support/stores.js';
import { queryWarehouse } from '../support/warehouse-query.js';

const SEED = 20261122;

const query = queryWarehouse;

const SUMMARY_COLUMNS = `customer_id, full_name, email, CAST(total_spent_aud AS VARCHAR) AS total_spent_aud,
  CAST(first_purchase_date AS VARCHAR) AS first_purchase_date, CAST(last_purchase_date AS VARCHAR) AS last_purchase_date`;

const gold = (warehouse: string) => query<SummaryRow>(warehouse, `SELECT ${SUMMARY_COLUMNS} FROM customer_purchases.customer_purchase_summary ORDER BY customer_id`);

async function served(warehouse: string): Promise<Record<string, unknown>[]> {
  const db = await PgliteClient.open(join(warehouse, '_lakehouse/postgres/lakehouse'));
  try {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT customer_id, full_name, email, total_spent_aud::text AS total_spent_aud, first_purchase_date::text AS first_purchase_date,
              last_purchase_date::text AS last_purchase_date, updated_at::text AS updated_at FROM customer_purchase_summary ORDER BY customer_id`,
    );
    return rows;
  } finally {
    await db.close();
  }
}

describe('customer-purchases on a seeded generated data set', () => {
  const drops = generatePurchaseDrops(SEED);
  const dir = tempDir('cp-gen-');
  const source = join(dir, 'in');
  const warehouse = join(dir, 'warehouse');
  mkdirSync(source);
  const clock = (day: number) => fixedClock(Date.parse(`2026-02-${String(day).padStart(2, '0')}T06:00:00Z`));

  test('the generator plants every case the issue names', () => {
    const all = drops.runs.reduce<Record<string, number>>((acc, r) => {
      for (const [rule, n] of Object.entries(r.rejected)) acc[rule] = (acc[rule] ?? 0) + n;
      return acc;
    }, {});
    expect(all.duplicate_row).toBeGreaterThan(0);
    expect(all.duplicate_key).toBeGreaterThan(0);
    expect(all.range).toBeGreaterThan(10);
    expect(all.malformed_row).toBeGreaterThan(0);
    expect(drops.files.some((f) => f.name.includes('late'))).toBe(true);
    expect(drops.gold.length).toBeGreaterThan(30);
  });

  test('six daily runs: each run counts what the model says, and silver, gold and PostgreSQL end where the model does', async () => {
    for (const run of drops.runs) {
      for (const file of drops.files.filter((f) => f.day === run.day)) writeFileSync(join(source, file.name), file.text);
      const summary = await runCustomerPurchases({ settings: { warehouse }, source, clock: clock(run.day) });
      expect(summary.error).toBeUndefined();
      expect({ day: run.day, ...summary.datasets[0]!.rejectedByRule }).toEqual({ day: run.day, ...run.rejected });
      expect(summary.datasets[0]).toMatchObject({ read: run.read, accepted: run.accepted });
    }
    const silver = await query<{ purchase_id: number; r: string }>(
      warehouse,
      "SELECT purchase_id, CAST(customer_id AS VARCHAR) || ' ' || CAST(amount AS VARCHAR) || ' ' || currency AS r FROM customer_purchases.purchases ORDER BY purchase_id",
    );
    expect(new Map(silver.map((s) => [s.purchase_id, s.r]))).toEqual(new Map([...drops.silver].sort(([a], [b]) => a - b)));
    expect(await gold(warehouse)).toEqual(drops.gold);
    expect((await served(warehouse)).map(({ updated_at, ...r }) => r)).toEqual(drops.gold);
  });

  test('replaying every file twice changes nothing: silver rows, gold and PostgreSQL (updated_at included) identical', async () => {
    const silverBefore = await query(warehouse, 'SELECT purchase_id, customer_id, full_name, email, amount, currency, amount_aud FROM customer_purchases.purchases ORDER BY purchase_id');
    const goldBefore = await gold(warehouse);
    const servedBefore = await served(warehouse);
    for (const copy of [1, 2]) {
      const folder = join(dir, `replay-${copy}`);
      mkdirSync(folder);
      for (const file of drops.files) writeFileSync(join(folder, file.name), file.text);
      const replay = await runCustomerPurchases({ settings: { warehouse }, source: folder, clock: clock(10 + copy) });
      expect(replay.status).toBe('succeeded');
      expect(replay.datasets[0]!.read).toBe(drops.runs.reduce((n, r) => n + r.read, 0));
      expect(await query(warehouse, 'SELECT purchase_id, customer_id, full_name, email, amount, currency, amount_aud FROM customer_purchases.purchases ORDER BY purchase_id')).toEqual(silverBefore);
      expect(await gold(warehouse)).toEqual(goldBefore);
      expect(await served(warehouse)).toEqual(servedBefore);
    }
  });
});
