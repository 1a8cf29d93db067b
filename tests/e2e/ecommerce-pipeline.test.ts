/**
 * The e-commerce lakehouse end to end on the real sample, one raw drop per order date (15 runs):
 * every count and partition checked, the reports equal those over tables loaded straight from the CSV
 * files, delta-rs reads the same counts; re-runs and replaced files; the same on S3 + Glue (moto).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { REPORT_NAMES, runReport } from '../../catalog/reports/run-report.js';
import { openStore } from '../../etl/storage/open-store.js';
import { ecommercePipeline } from '../../pipelines/ecommerce/ecommerce-pipeline.js';
import { openContext } from '../../pipelines/runner/lakehouse-context.js';
import { runPipeline } from '../../pipelines/runner/run-pipeline.js';
import type { RunSummary } from '../../pipelines/runner/run-summary.js';
import { dropDate, dropProducts, sampleDates, sampleLines } from '../support/daily-drops.js';
import { loadEcommerceTables } from '../support/ecommerce-tables.js';
import { runPython } from '../support/python.js';
import { tempDir } from '../support/stores.js';

/** CSV files directly in a folder (none when archiving removed the emptied folder). */
const csvFilesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.csv')) : []);

const byName = (s: RunSummary) => Object.fromEntries(s.datasets.map((d) => [d.name, d]));

async function run(raw: string, warehouse: string, format: 'delta' | 'iceberg' = 'delta'): Promise<RunSummary> {
  const context = openContext({ warehouse, raw, format });
  try {
    const summary = await runPipeline({
      pipeline: ecommercePipeline,
      raw: openStore(raw),
      warehouse: context.warehouse,
      format,
      catalog: context.catalog,
      engine: await context.engine('ecommerce'),
    });
    if (summary.status !== 'succeeded') throw new Error(`run failed: ${JSON.stringify(summary.error)}`);
    return summary;
  } finally {
    await context.close();
  }
}

async function reports(warehouse: string, names: readonly string[] = REPORT_NAMES) {
  const context = openContext({ warehouse });
  try {
    const engine = await context.engine('ecommerce');
    const out: Record<string, unknown[]> = {};
    for (const name of names) out[name] = (await runReport(engine, name, { database: 'ecommerce', limit: 50 })).rows;
    return out;
  } finally {
    await context.close();
  }
}

describe.each(['delta', 'iceberg'] as const)('e-commerce pipeline on the real sample (%s)', (format) => {
  test('15 daily drops: counts, partitions, reports, archive, and nothing twice on re-run', async () => {
    const root = tempDir();
    const raw = join(root, 'raw');
    const warehouse = join(root, 'warehouse');
    dropProducts(raw);
    const dates = sampleDates();
    expect(dates).toHaveLength(15);
    let orders = 0;
    let items = 0;
    for (const [i, date] of dates.entries()) {
      const counts = dropDate(raw, date);
      const s = byName(await run(raw, warehouse, format));
      expect(s.orders).toMatchObject({ read: counts.orders, accepted: counts.orders, rejected: 0, filesIngested: 1 });
      expect(s.order_items).toMatchObject({ read: counts.items, accepted: counts.items, rejected: 0, filesIngested: 1 });
      expect(s.products).toMatchObject(i === 0 ? { read: 1000, accepted: 1000 } : { read: 0, filesIngested: 0 });
      orders += counts.orders;
      items += counts.items;
      // Only this run's files were archived; the raw dataset folders are empty again.
      expect(csvFilesIn(join(raw, 'orders'))).toEqual([]);
    }
    expect(orders).toBe(7500);
    expect(items).toBe(40803);
    // Re-running with nothing new commits nothing.
    const again = byName(await run(raw, warehouse, format));
    expect(Object.values(again).every((d) => d.read === 0 && d.filesIngested === 0)).toBe(true);
    expect(readdirSync(join(raw, 'archived'))).toHaveLength(1);

    const context = openContext({ warehouse });
    try {
      const engine = await context.engine('ecommerce');
      const count = async (sql: string) => Number((await engine.query<{ n: number }>(sql)).rows[0]!.n);
      expect(await count('SELECT count(*) AS n FROM ecommerce.products')).toBe(1000);
      expect(await count('SELECT count(*) AS n FROM ecommerce.orders')).toBe(7500);
      expect(await count('SELECT count(*) AS n FROM ecommerce.order_items')).toBe(40803);
      expect(await count('SELECT count(DISTINCT order_id) AS n FROM ecommerce.orders')).toBe(7500);
      expect(await count('SELECT count(*) AS n FROM ecommerce.rejected_records')).toBe(0);
      expect(await count('SELECT count(DISTINCT date) AS n FROM ecommerce.order_items')).toBe(15);
      expect(await count("SELECT count(*) AS n FROM ecommerce.orders WHERE date = DATE '2025-04-03'")).toBe(500);
    } finally {
      await context.close();
    }
    if (format === 'delta') {
      // Hive partition folders, one per date, and delta-rs reads the same counts.
      expect(readdirSync(join(warehouse, 'processed', 'ecommerce', 'order_items')).filter((d) => d.startsWith('date=')).sort()).toEqual(dates.map((d) => `date=${d}`));
      for (const [table, n] of [['products', 1000], ['orders', 7500], ['order_items', 40803]] as const) {
        const theirs = await runPython<{ num_rows: number }>('delta_tool.py', ['read', join(warehouse, 'processed', 'ecommerce', table), '--count-only']);
        expect(theirs.num_rows).toBe(n);
      }
    }
    // The reports equal those over tables loaded straight from the CSV files.
    const reference = tempDir();
    const refStore = openStore(reference);
    await loadEcommerceTables(refStore, new EmbeddedCatalog(refStore), { rejected: false });
    const ours = await reports(warehouse);
    const theirs = await reports(reference, ['daily_sales', 'top_products', 'department_items']);
    for (const name of ['daily_sales', 'top_products', 'department_items']) expect(ours[name]).toEqual(theirs[name]);
    expect(ours.data_quality).toEqual([]);
  }, 600_000);
});

test('a file replaced in place is ingested again and its rows upserted; an unchanged re-drop is not', async () => {
  const root = tempDir();
  const raw = join(root, 'raw');
  const warehouse = join(root, 'warehouse');
  dropProducts(raw);
  const date = sampleDates()[0]!;
  dropDate(raw, date);
  await run(raw, warehouse);
  // The same products file dropped again (same content, new mtime -> new version): upserted, no duplicates.
  dropProducts(raw);
  const s = byName(await run(raw, warehouse));
  expect(s.products).toMatchObject({ read: 1000, accepted: 1000, filesIngested: 1 });
  // A corrected orders file: one order's amount changes.
  const [header, ...rows] = sampleLines('orders.csv').filter((l, i) => i === 0 || l.endsWith(`,${date}`));
  const fixed = rows.map((r, i) => (i === 0 ? r.replace(/,[0-9.]+,(\d{4}-\d{2}-\d{2})$/, ',999.99,$1') : r));
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(join(raw, 'orders'), { recursive: true });
  writeFileSync(join(raw, 'orders', `orders-${date}.csv`), `${[header, ...fixed].join('\n')}\n`);
  await run(raw, warehouse);
  const context = openContext({ warehouse });
  try {
    const engine = await context.engine('ecommerce');
    const q = async (sql: string) => (await engine.query<{ n: number }>(sql)).rows[0]!.n;
    expect(Number(await q('SELECT count(*) AS n FROM ecommerce.products'))).toBe(1000);
    expect(Number(await q('SELECT count(*) AS n FROM ecommerce.orders'))).toBe(500);
    expect(Number(await q('SELECT count(*) AS n FROM ecommerce.orders WHERE total_amount = 999.99'))).toBe(1);
  } finally {
    await context.close();
  }
  expect(existsSync(join(raw, 'archived'))).toBe(true);
}, 300_000);
