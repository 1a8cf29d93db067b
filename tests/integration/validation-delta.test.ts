/**
 * Validation against committed Delta tables in a temp folder: foreign keys of a later run resolve
 * against orders committed by an earlier run (read through `loadDeltaKeys`, key column only);
 * re-ingesting a file and merging by `mergeKeys` changes nothing; quarantine records land in a
 * `rejected_records` Delta table.
 */
import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeltaTable, merge, write } from '../../etl/delta/index.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { orderItems, orders, products } from '../../validation/contracts/ecommerce.js';
import {
  bytesInput,
  deltaCommittedKeys,
  DenseInt32KeySet,
  Int32KeySet,
  loadDeltaKeys,
  quarantineBatches,
  REJECTED_RECORDS_SCHEMA,
  ValidationRun,
  type DatasetContract,
  type DatasetResult,
} from '../../validation/index.js';
import { acceptedLines } from '../support/validation-harness.js';

const ITEMS = 'id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date';
const ORDERS = 'order_num,order_id,user_id,order_timestamp,total_amount,date';
const PRODUCTS = 'product_id,department_id,department,product_name';
const csv = (header: string, ...rows: string[]): string => [header, ...rows].join('\n') + '\n';
const item = (id: number, orderId: number, productId = 1, day = '2025-04-02') => `${id},${orderId},7,3,${productId},1,0,${day}T10:00:00,${day}`;
const order = (id: number, day = '2025-04-01', amount = '10.5') => `1,${id},7,${day}T09:00:00,${amount},${day}`;

let dir: string;
let root: ObjectStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'validation-delta-'));
  root = openStore(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tableStore = (dataset: string) => new PrefixedStore(root, `processed/ecommerce/${dataset}`);

async function tableFor(contract: DatasetContract): Promise<DeltaTable> {
  return DeltaTable.openOrCreate(tableStore(contract.name), { schema: contract.arrowSchema, partitionColumns: [...contract.partitionBy] });
}

/** What a pipeline does with a result: merge the accepted rows by the merge keys. */
async function commit(result: DatasetResult): Promise<void> {
  const table = await tableFor(result.contract);
  await merge(table, result.accepted, { keys: [...result.mergeKeys] });
}

/** Opens a dataset's table when it exists (the pipeline's `committedKeys` source). */
const openTable = async (dataset: string) => ((await DeltaTable.exists(tableStore(dataset))) ? DeltaTable.open(tableStore(dataset)) : undefined);

async function sortedRows(dataset: string): Promise<string[]> {
  const table = await DeltaTable.open(tableStore(dataset));
  const t = await table.toArrow();
  return t.toArray().map((r) => JSON.stringify(r.toJSON(), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).sort();
}

test('items of a later run whose orders were committed by an earlier run are accepted; orphans are rejected', async () => {
  const run1 = new ValidationRun({ runId: 'run-1', committedKeys: deltaCommittedKeys(openTable) });
  for await (const result of run1.validateAll([products, orders], {
    products: [bytesInput('raw/products/p1.csv', csv(PRODUCTS, '1,4,Books,A', '2,4,Toys,B'))],
    orders: [bytesInput('raw/orders/o1.csv', csv(ORDERS, order(100), order(101), order(102, '2025-04-01', '-1')))],
  })) {
    await commit(result);
  }
  expect(await sortedRows('orders')).toHaveLength(2);

  const run2 = new ValidationRun({ runId: 'run-2', committedKeys: deltaCommittedKeys(openTable) });
  const results: DatasetResult[] = [];
  for await (const result of run2.validateAll([products, orders, orderItems], {
    orders: [bytesInput('raw/orders/o2.csv', csv(ORDERS, order(200, '2025-04-02')))],
    order_items: [bytesInput('raw/order_items/i2.csv', csv(ITEMS, item(1, 100), item(2, 101, 2), item(3, 200), item(4, 102), item(5, 999), item(6, 100, 3)))],
  })) {
    results.push(result);
    if (result.dataset === 'order_items') {
      expect(await acceptedLines(result)).toEqual([item(1, 100), item(2, 101, 2), item(3, 200)]);
      expect(result.rejected.map((r) => [r.rule, r.source_line, r.message])).toEqual([
        ['foreign_key', 5, 'order_id 102 not found in orders.order_id (neither accepted in this run nor committed)'],
        ['foreign_key', 6, 'order_id 999 not found in orders.order_id (neither accepted in this run nor committed)'],
        ['foreign_key', 7, 'product_id 3 not found in products.product_id (neither accepted in this run nor committed)'],
      ]);
    } else await commit(result);
  }
  expect(results.map((r) => r.dataset)).toEqual(['products', 'orders', 'order_items']);
  expect(run2.summary().datasets.map((d) => [d.dataset, d.read, d.accepted, d.rejected])).toEqual([
    ['products', 0, 0, 0],
    ['orders', 1, 1, 0],
    ['order_items', 6, 3, 3],
  ]);
});

test('loadDeltaKeys reads only the key column and knows exactly the committed keys', async () => {
  const ids = Array.from({ length: 3000 }, (_, i) => 10_000 + i * 3);
  const table = await tableFor(orders);
  const rows = ids.map((id, i) => order(id, i % 2 ? '2025-04-01' : '2025-04-02'));
  const run = new ValidationRun({ runId: 'seed' });
  const result = await run.validate(orders, [bytesInput('o.csv', csv(ORDERS, ...rows))]);
  await write(table, result.accepted);

  const scan = jest.spyOn(table, 'scan');
  const keys = await loadDeltaKeys(table, 'order_id');
  expect(scan).toHaveBeenCalledTimes(1);
  expect(scan.mock.calls[0]![0]).toEqual({ columns: ['order_id'] });
  expect(keys.size).toBe(ids.length);
  expect(keys).toBeInstanceOf(DenseInt32KeySet); // ids span 3 x their count: the bitset is smaller
  const committed = new Set(ids);
  for (let k = 9_990; k < 20_000; k++) expect(keys.has(k)).toBe(committed.has(k));
  expect(keys.has('10000')).toBe(false);

  // Partition columns (date) come from the log, not the files; a date key set still works.
  const dates = await loadDeltaKeys(table, 'date');
  expect(dates.size).toBe(2);
  expect(dates.has(Date.UTC(2025, 3, 1) / 86_400_000)).toBe(true);

  // Sparse keys get the hash set.
  const sparse = await tableFor(products);
  const prun = new ValidationRun({ runId: 'seed' });
  const presult = await prun.validate(products, [bytesInput('p.csv', csv(PRODUCTS, '5,1,Books,A', '2000000000,1,Books,B', '-7,1,Toys,C'))]);
  await write(sparse, presult.accepted);
  const pkeys = await loadDeltaKeys(sparse, 'product_id');
  expect(pkeys).toBeInstanceOf(Int32KeySet);
  expect([5, 2_000_000_000, -7, 6, 0].map((k) => pkeys.has(k))).toEqual([true, true, true, false, false]);
  await expect(loadDeltaKeys(sparse, 'nope')).rejects.toThrow(/has no column nope/);
});

test('re-ingesting the same file and merging by mergeKeys changes nothing', async () => {
  const text = csv(ORDERS, order(1), order(2, '2025-04-02'), order(3), order(2, '2025-04-02', '99.5'));
  const ingest = async (runId: string) => {
    const run = new ValidationRun({ runId, committedKeys: deltaCommittedKeys(openTable) });
    const result = await run.validate(orders, [bytesInput('raw/orders/o.csv', text)]);
    expect(result.mergeKeys).toEqual(['order_id']);
    expect(result.summary).toMatchObject({ read: 4, accepted: 3, rejected: 1, rejectedByRule: { duplicate_key: 1 } });
    await commit(result);
  };
  await ingest('first');
  const once = await sortedRows('orders');
  expect(once).toHaveLength(3);
  expect(once.join()).toContain('99.5'); // latest row of order 2 (same timestamp, later in the file) won
  await ingest('again');
  expect(await sortedRows('orders')).toEqual(once);
  const history = await (await DeltaTable.open(tableStore('orders'))).history();
  expect(history[0]!.operationMetrics).toMatchObject({ numTargetRowsInserted: 0, numTargetRowsUpdated: 3 });
});

test('quarantine records are written to and read back from a rejected_records Delta table', async () => {
  const run = new ValidationRun({ runId: 'run-q' });
  const result = await run.validate(orders, [bytesInput('raw/orders/bad.csv', csv(ORDERS, order(1, '2025-04-01', '0'), 'x,y', order(2)))]);
  expect(result.rejected.map((r) => [r.rule, r.source_line])).toEqual([
    ['range', 2],
    ['malformed_row', 3],
  ]);
  const rejectedAt = new Date(Date.UTC(2025, 3, 5, 12, 0, 0));
  const table = await DeltaTable.create(tableStore('rejected_records'), { schema: REJECTED_RECORDS_SCHEMA });
  await write(table, [...quarantineBatches(result.rejected, { runId: run.runId, rejectedAt, batchRows: 1 })]);
  const back = await (await DeltaTable.open(tableStore('rejected_records'))).toArrow();
  expect(back.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual(REJECTED_RECORDS_SCHEMA.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`));
  const rows = back.toArray().map((r) => r.toJSON() as Record<string, unknown>).sort((a, b) => Number(a.source_line) - Number(b.source_line));
  expect(rows.map((r) => [r.run_id, r.dataset, r.source_uri, Number(r.source_line), r.rule, r.raw_record])).toEqual([
    ['run-q', 'orders', 'raw/orders/bad.csv', 2, 'range', order(1, '2025-04-01', '0')],
    ['run-q', 'orders', 'raw/orders/bad.csv', 3, 'malformed_row', 'x,y'],
  ]);
  expect(rows[0]!.message).toBe('total_amount: Too small: expected number to be >0 (value 0)');
  expect(Number(rows[0]!.rejected_at)).toBe(rejectedAt.getTime());
});
