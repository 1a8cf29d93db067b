/**
 * Every report on DuckDB over the real e-commerce sample (../shared/data/ecommerce) loaded as Delta
 * tables, compared with numbers computed independently in plain TypeScript straight from the CSV
 * text (no DuckDB, no Delta), plus facts the data set's README states.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { REPORT_NAMES, REPORTS, runReport } from '../../catalog/reports/index.js';
import { UsageError } from '../../etl/errors.js';
import { openStore } from '../../etl/storage/open-store.js';
import { ECOMMERCE_DIR, loadEcommerceTables, REJECTION_RULES } from '../support/ecommerce-tables.js';
import { tempDir } from '../support/stores.js';

/** The data lines of a CSV file, split on commas (the sample has no quoted fields). */
function csv(name: string): string[][] {
  return readFileSync(join(ECOMMERCE_DIR, name), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
}

const products = csv('products.csv'); // product_id, department_id, department, product_name
const orders = csv('orders.csv'); // order_num, order_id, user_id, order_timestamp, total_amount, date
const items = csv('order_items.csv'); // id, order_id, user_id, days_since_prior_order, product_id, add_to_cart_order, reordered, order_timestamp, date

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function expectedDailySales() {
  const itemsPerOrder = new Map<string, number>();
  for (const i of items) itemsPerOrder.set(i[1]!, (itemsPerOrder.get(i[1]!) ?? 0) + 1);
  const days = new Map<string, { orders: number; items: number; revenue: number }>();
  for (const o of orders) {
    const d = days.get(o[5]!) ?? { orders: 0, items: 0, revenue: 0 };
    d.orders++;
    d.items += itemsPerOrder.get(o[1]!) ?? 0;
    d.revenue += Number(o[4]);
    days.set(o[5]!, d);
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([date, d]) => ({ date, orders: d.orders, items: d.items, revenue: d.revenue, average_order_value: d.revenue / d.orders }));
}

function expectedTopProducts(limit: number) {
  const byId = new Map(products.map((p) => [p[0]!, p]));
  const stats = new Map<number, { units: number; reorders: number }>();
  for (const i of items) {
    const s = stats.get(Number(i[4])) ?? { units: 0, reorders: 0 };
    s.units++;
    s.reorders += Number(i[6]);
    stats.set(Number(i[4]), s);
  }
  return [...stats.entries()]
    .sort(([ida, a], [idb, b]) => b.units - a.units || ida - idb)
    .slice(0, limit)
    .map(([id, s], n) => ({
      rank: n + 1,
      product_id: id,
      product: byId.get(String(id))?.[3] ?? null,
      department: byId.get(String(id))?.[2] ?? null,
      units: s.units,
      reorder_rate: round(s.reorders / s.units, 4),
    }));
}

function expectedDepartmentItems() {
  const department = new Map(products.map((p) => [p[0]!, p[2]!]));
  const stats = new Map<string, { items: number; orders: Set<string> }>();
  for (const i of items) {
    const d = department.get(i[4]!) ?? 'unknown';
    const s = stats.get(d) ?? { items: 0, orders: new Set<string>() };
    s.items++;
    s.orders.add(i[1]!);
    stats.set(d, s);
  }
  return [...stats.entries()]
    .map(([department, s]) => ({ department, items: s.items, distinct_orders: s.orders.size }))
    .sort((a, b) => b.items - a.items || (a.department < b.department ? -1 : 1));
}

let engine: DuckDbEngine;

beforeAll(async () => {
  const dir = tempDir('lakehouse-reports-');
  const warehouse = openStore(join(dir, 'warehouse'));
  const catalog = new EmbeddedCatalog(warehouse);
  await loadEcommerceTables(warehouse, catalog);
  engine = await DuckDbEngine.open({ catalog, cacheDir: join(dir, 'cache'), threads: 2 });
});
afterAll(async () => {
  await engine?.close();
});

test('daily_sales: orders, items, revenue and average order value per date', async () => {
  const result = await runReport(engine, 'daily_sales');
  expect(result.columns.map((c) => c.name)).toEqual(REPORTS.daily_sales.columns);
  const expected = expectedDailySales();
  // The README: 15 dates 2025-04-01..2025-04-15, 500 orders a day; 40,803 order lines in all.
  expect(result.rows).toHaveLength(15);
  expect(result.rows[0]!.date).toBe('2025-04-01');
  expect(result.rows[14]!.date).toBe('2025-04-15');
  expect(result.rows.every((r) => r.orders === 500)).toBe(true);
  expect(result.rows.reduce((s, r) => s + (r.items as number), 0)).toBe(40_803);
  result.rows.forEach((row, i) => {
    const e = expected[i]!;
    expect(row).toMatchObject({ date: e.date, orders: e.orders, items: e.items });
    expect(Math.abs((row.revenue as number) - e.revenue)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs((row.average_order_value as number) - e.average_order_value)).toBeLessThanOrEqual(0.005 + 1e-9);
  });
});

test('daily_sales: a date range', async () => {
  const result = await runReport(engine, 'daily_sales', { from: '2025-04-03', to: '2025-04-05' });
  expect(result.rows.map((r) => r.date)).toEqual(['2025-04-03', '2025-04-04', '2025-04-05']);
  expect(result.rows.map((r) => r.items)).toEqual(expectedDailySales().slice(2, 5).map((e) => e.items));
});

test('top_products: units, department and reorder rate of the best sellers', async () => {
  const result = await runReport(engine, 'top_products');
  expect(result.columns.map((c) => c.name)).toEqual(REPORTS.top_products.columns);
  expect(result.rows).toEqual(expectedTopProducts(10));
  const three = await runReport(engine, 'top_products', { limit: 3 });
  expect(three.rows).toEqual(expectedTopProducts(3));
});

test('department_items: items and distinct orders per department', async () => {
  const result = await runReport(engine, 'department_items');
  expect(result.columns.map((c) => c.name)).toEqual(REPORTS.department_items.columns);
  const expected = expectedDepartmentItems();
  expect(result.rows).toEqual(expected);
  expect(result.rows.map((r) => r.department).sort()).toEqual(['Books', 'Clothing', 'Electronics', 'Home', 'Sports', 'Toys']);
  expect(result.rows.reduce((s, r) => s + (r.items as number), 0)).toBe(40_803);
});

test('data_quality: rejected rows per run, dataset and rule', async () => {
  // Counted from the CSV text here, independently of the loader that wrote rejected_records.
  const count = (rows: string[][], test: (f: string[], line: number) => boolean) => rows.filter((f, i) => test(f, i + 2)).length;
  const expected = [
    { run_id: 'run-0001', dataset: 'order_items', rule: 'foreign_key', rejected_rows: count(items, (f) => Number(f[4]) > 995) },
    { run_id: 'run-0001', dataset: 'orders', rule: 'range', rejected_rows: count(orders, (f) => Number(f[4]) >= 495) },
    { run_id: 'run-0002', dataset: 'orders', rule: 'duplicate_row', rejected_rows: 25 },
  ];
  expect(expected[0]!.rejected_rows).toBe(197);
  const result = await runReport(engine, 'data_quality');
  expect(result.columns.map((c) => c.name)).toEqual(REPORTS.data_quality.columns);
  expect(result.rows.map(({ last_rejected_at: _, ...rest }) => rest)).toEqual(expected);
  expect(result.rows.map((r) => (r.last_rejected_at as Date).toISOString())).toEqual(REJECTION_RULES.map((r) => new Date(r.at).toISOString()));
  const one = await runReport(engine, 'data_quality', { runId: 'run-0002' });
  expect(one.rows.map((r) => [r.run_id, r.rule, r.rejected_rows])).toEqual([['run-0002', 'duplicate_row', 25]]);
});

test('bad report names and options are usage errors', async () => {
  await expect(runReport(engine, 'weekly_sales')).rejects.toThrow(new RegExp(REPORT_NAMES.join(', ')));
  await expect(runReport(engine, 'daily_sales', { from: '04/01/2025' })).rejects.toBeInstanceOf(UsageError);
  await expect(runReport(engine, 'top_products', { limit: 0 })).rejects.toBeInstanceOf(UsageError);
  await expect(runReport(engine, 'top_products', { database: 'Robert; DROP' })).rejects.toBeInstanceOf(UsageError);
});
