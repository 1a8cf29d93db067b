/**
 * The four reports over the real e-commerce sample (../shared/data/ecommerce) give the same rows on
 * Iceberg tables as on Delta tables: both loaded from the same CSV files into one embedded catalog
 * (databases `shop_delta` and `shop_iceberg`), queried by one DuckDB engine. reports.test.ts checks
 * the Delta numbers against values computed from the CSV text, so equal rows here are correct rows.
 */
import { join } from 'node:path';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { REPORT_NAMES, runReport, type ReportOptions } from '../../catalog/reports/index.js';
import { openStore } from '../../etl/storage/open-store.js';
import { loadEcommerceTables } from '../support/ecommerce-tables.js';
import { tempDir } from '../support/stores.js';

let engine: DuckDbEngine;
let catalog: EmbeddedCatalog;

beforeAll(async () => {
  const dir = tempDir('lakehouse-reports-iceberg-');
  const warehouse = openStore(join(dir, 'warehouse'));
  catalog = new EmbeddedCatalog(warehouse);
  await loadEcommerceTables(warehouse, catalog, { database: 'shop_delta', format: 'delta' });
  await loadEcommerceTables(warehouse, catalog, { database: 'shop_iceberg', format: 'iceberg' });
  engine = await DuckDbEngine.open({ catalog, cacheDir: join(dir, 'cache'), threads: 2 });
});
afterAll(async () => {
  await engine?.close();
});

/** Each report with its default options, and with the options that narrow it. */
const CASES: [string, ReportOptions][] = [
  ...REPORT_NAMES.map((name): [string, ReportOptions] => [name, {}]),
  ['daily_sales', { from: '2025-04-03', to: '2025-04-05' }],
  ['top_products', { limit: 3 }],
  ['data_quality', { runId: 'run-0002' }],
];

test('the sample is loaded in both formats', async () => {
  const tables = await catalog.listTables();
  expect(tables.map((t) => `${t.database}.${t.name}:${t.format}`)).toEqual([
    ...['order_items', 'orders', 'products', 'rejected_records'].map((t) => `shop_delta.${t}:delta`),
    ...['order_items', 'orders', 'products', 'rejected_records'].map((t) => `shop_iceberg.${t}:iceberg`),
  ]);
  expect(tables.filter((t) => t.format === 'iceberg').every((t) => t.metadataLocation?.includes('/metadata/'))).toBe(true);
  const counts = (db: string) =>
    `SELECT (SELECT count(*) FROM ${db}.orders) AS orders, (SELECT count(*) FROM ${db}.order_items) AS items, (SELECT count(*) FROM ${db}.products) AS products, (SELECT count(*) FROM ${db}.rejected_records) AS rejected`;
  const iceberg = (await engine.query(counts('shop_iceberg'))).rows;
  expect(iceberg).toEqual((await engine.query(counts('shop_delta'))).rows);
  expect(iceberg[0]).toMatchObject({ orders: 7500, items: 40_803 });
});

test.each(CASES)('%s %j: the same rows over Iceberg as over Delta', async (name, options) => {
  const delta = await runReport(engine, name, { ...options, database: 'shop_delta' });
  const iceberg = await runReport(engine, name, { ...options, database: 'shop_iceberg' });
  expect(delta.rows.length).toBeGreaterThan(0);
  expect(iceberg.columns).toEqual(delta.columns);
  expect(iceberg.rows).toEqual(delta.rows);
});

test('daily_sales over Iceberg: 15 dates of 500 orders, 40,803 order lines (the data set README)', async () => {
  const result = await runReport(engine, 'daily_sales', { database: 'shop_iceberg' });
  expect(result.rows).toHaveLength(15);
  expect(result.rows.every((r) => r.orders === 500)).toBe(true);
  expect(result.rows.reduce((s, r) => s + (r.items as number), 0)).toBe(40_803);
});
