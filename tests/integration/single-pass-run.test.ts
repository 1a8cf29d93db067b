/**
 * The runner's single pass, for Delta and Iceberg tables: accepted rows go into uncommitted data files
 * while they are validated. When a key repeats across batches the rows are read again instead, and the
 * files written early are deleted; when the run fails, nothing is committed and no data file is left behind.
 */
import { appendFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { DeltaTable } from '../../etl/delta/index.js';
import { IcebergTable } from '../../etl/iceberg/index.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { openExistingSink, type Format as TableFormat } from '../../pipelines/runner/table-sink.js';
import { ecommercePipeline } from '../../pipelines/ecommerce/ecommerce-pipeline.js';
import { openContext } from '../../pipelines/runner/lakehouse-context.js';
import { runPipeline } from '../../pipelines/runner/run-pipeline.js';
import { orderItems } from '../../validation/contracts/ecommerce.js';
import { withPolicies } from '../../validation/index.js';
import { tempDir } from '../support/stores.js';

const PRODUCTS = 'product_id,department_id,department,product_name';
const ORDERS = 'order_num,order_id,user_id,order_timestamp,total_amount,date';
const ITEMS = 'id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date';

const day = (o: number) => `2025-04-0${1 + (o % 2)}`;
const ts = (o: number) => `${day(o)}T1${o}:00:00`;
/** Item `i` of the first file (order 1 + i % 4). */
const itemLine = (i: number) => {
  const o = 1 + (i % 4);
  return `${i},${o},7,3,${1 + (i % 3)},${i},0,${ts(o)},${day(o)}`;
};

/** A small raw zone: 3 products, 4 orders over 2 days, 8 items; `extra` adds a second order_items file. */
function rawZone(root: string, extra?: string[]): string {
  const raw = join(root, 'raw');
  const put = (dataset: string, name: string, lines: string[]) => {
    mkdirSync(join(raw, dataset), { recursive: true });
    writeFileSync(join(raw, dataset, name), `${lines.join('\n')}\n`);
  };
  put('products', 'p.csv', [PRODUCTS, '1,1,Dairy,Milk', '2,1,Dairy,Cheese', '3,2,Bakery,Bread']);
  put('orders', 'o.csv', [ORDERS, ...[1, 2, 3, 4].map((o) => `${o},${o},7,${ts(o)},12.50,${day(o)}`)]);
  put('order_items', 'i1.csv', [ITEMS, ...[1, 2, 3, 4, 5, 6, 7, 8].map(itemLine)]);
  if (extra) put('order_items', 'i2.csv', [ITEMS, ...extra]);
  return raw;
}

/** Data files on disk under a table folder (relative paths). */
function dataFiles(table: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.parquet') && !p.includes('_delta_log')) out.push(relative(table, p));
    }
  };
  walk(table);
  return out.sort();
}

async function run(format: TableFormat, raw: string, warehouse: string, pipeline = ecommercePipeline) {
  const context = openContext({ warehouse });
  const steps: Record<string, unknown>[] = [];
  try {
    const summary = await runPipeline({
      pipeline,
      raw: openStore(raw),
      warehouse: context.warehouse,
      format,
      catalog: context.catalog,
      engine: await context.engine(),
      events: { step: (step, dataset, detail) => void (step === 'validated' && steps.push({ dataset, ...detail })) },
    });
    return { summary, steps };
  } finally {
    await context.close();
  }
}

/** The data files the table's current version holds (relative to its folder); none when it does not exist. */
async function committedFiles(format: TableFormat, warehouse: string, dataset: string): Promise<string[]> {
  const store = new PrefixedStore(openStore(warehouse), `processed/ecommerce/${dataset}`);
  if (format === 'delta') {
    if (!(await DeltaTable.exists(store))) return [];
    return [...(await DeltaTable.open(store)).snapshot.files.keys()].map((k) => decodeURIComponent(k)).sort();
  }
  const catalog = new EmbeddedCatalog(openStore(warehouse));
  if (!(await IcebergTable.exists(catalog, `ecommerce.${dataset}`).catch(() => false))) return [];
  const table = await IcebergTable.open(store, catalog, `ecommerce.${dataset}`);
  return (await table.dataFiles()).map((f) => f.key!).sort();
}

/** Rows `id, product_id` of the order_items table. */
async function itemRows(format: TableFormat, warehouse: string): Promise<{ id: number; product_id: number }[]> {
  const store = openStore(warehouse);
  const sink = await openExistingSink({ format, warehouse: store, catalog: new EmbeddedCatalog(store), database: 'ecommerce', table: 'order_items' });
  const rows: { id: number; product_id: number }[] = [];
  for await (const b of sink!.scan(['id', 'product_id'])) for (const r of b.toArray()) rows.push({ id: Number(r.id), product_id: Number(r.product_id) });
  return rows.sort((a, b) => a.id - b.id);
}

describe.each(['delta', 'iceberg'] as const)('%s tables', (format) => {
test('without repeated keys every dataset is written in one pass, and the table holds exactly its files', async () => {
  const root = tempDir();
  const warehouse = join(root, 'warehouse');
  const { summary, steps } = await run(format, rawZone(root), warehouse);
  expect(summary.status).toBe('succeeded');
  expect(steps.map((s) => [s.dataset, s.singlePass])).toEqual([['products', true], ['orders', true], ['order_items', true]]);
  expect(summary.datasets.find((d) => d.name === 'order_items')).toMatchObject({ accepted: 8, rejected: 0 });
  const table = join(warehouse, 'processed', 'ecommerce', 'order_items');
  expect(dataFiles(table)).toEqual(await committedFiles(format, warehouse, 'order_items'));
  expect(dataFiles(table).length).toBeGreaterThan(0);
  expect((await itemRows(format, warehouse)).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
});

test('a key repeated in a later file: the rows are read again, the early files are deleted, the later row wins', async () => {
  const root = tempDir();
  const warehouse = join(root, 'warehouse');
  // Item 3 again with a later order time and another product; item 5 again, identical.
  const raw = rawZone(root, ['3,4,7,3,3,3,0,2025-04-01T15:00:00,2025-04-01', itemLine(5)]);
  const { summary, steps } = await run(format, raw, warehouse);
  expect(summary.status).toBe('succeeded');
  expect(steps.find((s) => s.dataset === 'order_items')).toMatchObject({ singlePass: false, read: 10, accepted: 8 });
  expect(summary.datasets.find((d) => d.name === 'order_items')!.rejectedByRule).toEqual({ duplicate_key: 1, duplicate_row: 1 });
  const table = join(warehouse, 'processed', 'ecommerce', 'order_items');
  expect(dataFiles(table)).toEqual(await committedFiles(format, warehouse, 'order_items'));
  const rows = await itemRows(format, warehouse);
  expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(rows.find((r) => r.id === 3)!.product_id).toBe(3);
});

test('a run that fails in a later dataset commits nothing and leaves no data file from the earlier single-pass writes', async () => {
  const root = tempDir();
  const warehouse = join(root, 'warehouse');
  const raw = rawZone(root);
  appendFileSync(join(raw, 'order_items', 'i1.csv'), '9,1,7,3,2,0,0,2025-04-02T11:00:00,2025-04-02\n'); // add_to_cart_order 0: range
  const failing = { ...ecommercePipeline, datasets: ecommercePipeline.datasets.map((c) => (c.name === 'order_items' ? withPolicies(orderItems, { range: 'fail' }) : c)) };
  const { summary } = await run(format, raw, warehouse, failing);
  expect(summary.status).toBe('failed');
  expect(summary.error?.code).toBe('validation_failed');
  for (const dataset of ['products', 'orders', 'order_items']) {
    const table = join(warehouse, 'processed', 'ecommerce', dataset);
    expect([dataset, dataFiles(table)]).toEqual([dataset, []]);
    expect(await committedFiles(format, warehouse, dataset)).toEqual([]);
  }
  // The same files, with the bad row quarantined, then load in one pass.
  const { summary: again, steps } = await run(format, raw, warehouse);
  expect(again.status).toBe('succeeded');
  expect(steps.every((s) => s.singlePass === true)).toBe(true);
  expect(again.datasets.find((d) => d.name === 'order_items')).toMatchObject({ accepted: 8, rejected: 1 });
});
});
