/**
 * The real e-commerce sample data (../shared/data/ecommerce, see its README) as Delta or Iceberg
 * tables with the contract types, registered in a catalog: products (unpartitioned), orders and order_items
 * (partitioned by date). The CSV files are read with DuckDB and never modified. Optionally also a
 * `rejected_records` table whose rows are real CSV lines quarantined by fixed, documented rules
 * (see {@link REJECTION_RULES}), for the data-quality report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { REJECTED_RECORDS_SCHEMA } from '../../validation/quarantine.js';
import { DeltaTable, write } from '../../etl/delta/index.js';
import { IcebergTable, write as writeIceberg } from '../../etl/iceberg/index.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import type { Catalog } from '../../catalog/catalog.js';
import { ORDER_ITEMS_SCHEMA } from './fixtures.js';

/** Folder of the sample CSV files. */
export const ECOMMERCE_DIR = join(process.cwd(), '..', 'shared', 'data', 'ecommerce');

/** products: unpartitioned. */
export const PRODUCTS_SCHEMA = new arrow.Schema([
  new arrow.Field('product_id', new arrow.Int32(), false),
  new arrow.Field('department_id', new arrow.Int32(), true),
  new arrow.Field('department', new arrow.Utf8(), true),
  new arrow.Field('product_name', new arrow.Utf8(), true),
]);

/** orders: partitioned by date. */
export const ORDERS_SCHEMA = new arrow.Schema([
  new arrow.Field('order_num', new arrow.Int32(), true),
  new arrow.Field('order_id', new arrow.Int32(), false),
  new arrow.Field('user_id', new arrow.Int32(), true),
  new arrow.Field('order_timestamp', new arrow.TimestampMicrosecond('UTC'), false),
  new arrow.Field('total_amount', new arrow.Float64(), true),
  new arrow.Field('date', new arrow.DateDay(), false),
]);

/** order_items: partitioned by date (the schema the Delta tests already use). */
export { ORDER_ITEMS_SCHEMA };

/** rejected_records: the quarantine table, exactly as the pipeline writes it. */
export { REJECTED_RECORDS_SCHEMA };

/**
 * The rejections of the `rejected_records` table, each a rule over real CSV lines:
 * run-0001 quarantines order_items whose product_id > 995 (`foreign_key`) and orders with
 * total_amount >= 495 (`range`); run-0002 quarantines the first 25 orders lines again
 * (`duplicate_row`, a re-delivered file).
 */
export const REJECTION_RULES = [
  { runId: 'run-0001', dataset: 'order_items', rule: 'foreign_key', at: '2025-04-16T02:00:00Z', test: (f: string[]) => Number(f[4]) > 995 },
  { runId: 'run-0001', dataset: 'orders', rule: 'range', at: '2025-04-16T02:00:00Z', test: (f: string[]) => Number(f[4]) >= 495 },
  { runId: 'run-0002', dataset: 'orders', rule: 'duplicate_row', at: '2025-04-17T02:00:00Z', test: (_f: string[], line: number) => line <= 26 },
] as const;

/** The sample tables as Arrow. */
export interface EcommerceData {
  /** products.csv. */
  products: arrow.Table;
  /** orders.csv. */
  orders: arrow.Table;
  /** order_items.csv. */
  orderItems: arrow.Table;
}

let cached: Promise<EcommerceData> | undefined;

/** Read the three CSV files with DuckDB into Arrow tables with the contract types (read once per process). */
export function readEcommerceData(): Promise<EcommerceData> {
  cached ??= readAll();
  return cached;
}

async function readAll(): Promise<EcommerceData> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const csv = (name: string) => `read_csv('${join(ECOMMERCE_DIR, name)}', header = true, auto_detect = false, columns = `;
  try {
    const columns = async (sql: string): Promise<unknown[][]> => (await connection.runAndReadAll(sql)).getColumns();
    const products = await columns(
      `SELECT * FROM ${csv('products.csv')}{'product_id': 'INTEGER', 'department_id': 'INTEGER', 'department': 'VARCHAR', 'product_name': 'VARCHAR'}) ORDER BY product_id`,
    );
    const orders = await columns(
      `SELECT order_num, order_id, user_id, epoch_us(order_timestamp), total_amount, CAST(date - DATE '1970-01-01' AS INTEGER)
       FROM ${csv('orders.csv')}{'order_num': 'INTEGER', 'order_id': 'INTEGER', 'user_id': 'INTEGER', 'order_timestamp': 'TIMESTAMP', 'total_amount': 'DOUBLE', 'date': 'DATE'})`,
    );
    const orderItems = await columns(
      `SELECT id, order_id, user_id, days_since_prior_order, product_id, add_to_cart_order, reordered, epoch_us(order_timestamp), CAST(date - DATE '1970-01-01' AS INTEGER)
       FROM ${csv('order_items.csv')}{'id': 'INTEGER', 'order_id': 'INTEGER', 'user_id': 'INTEGER', 'days_since_prior_order': 'INTEGER', 'product_id': 'INTEGER', 'add_to_cart_order': 'INTEGER', 'reordered': 'INTEGER', 'order_timestamp': 'TIMESTAMP', 'date': 'DATE'})`,
    );
    return {
      products: tableOf(PRODUCTS_SCHEMA, products),
      orders: tableOf(ORDERS_SCHEMA, orders),
      orderItems: tableOf(ORDER_ITEMS_SCHEMA, orderItems),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The rejected_records rows the {@link REJECTION_RULES} give over the real CSV lines. */
export function rejectedRecords(): arrow.Table {
  const cols: unknown[][] = REJECTED_RECORDS_SCHEMA.fields.map(() => []);
  for (const r of REJECTION_RULES) {
    const file = join(ECOMMERCE_DIR, `${r.dataset}.csv`);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((raw, i) => {
      const line = i + 1;
      if (line === 1 || raw.trim() === '') return;
      if (!r.test(raw.split(','), line)) return;
      const row = [r.runId, r.dataset, `file://${file}`, BigInt(line), r.rule, `${r.rule} rejected line ${line}`, raw, BigInt(Date.parse(r.at)) * 1000n];
      row.forEach((v, c) => cols[c]!.push(v));
    });
  }
  return tableOf(REJECTED_RECORDS_SCHEMA, cols);
}

/** Where a table of the sample lives in the warehouse. */
export function tableKey(database: string, table: string): string {
  return `processed/${database}/${table}`;
}

/** Options of {@link loadEcommerceTables}. */
export interface LoadOptions {
  /** Database name (default `ecommerce`). */
  database?: string;
  /** Also write and register `rejected_records` (default true). */
  rejected?: boolean;
  /**
   * Table format (default `delta`). Iceberg tables are created through `catalog` as their pointer
   * store (partitioned by the identity of `date`), written in one append, then registered with their
   * columns (the order the catalog documents: first swap, then `registerTable`).
   */
  format?: 'delta' | 'iceberg';
}

/**
 * Write products, orders, order_items (and rejected_records) as Delta or Iceberg tables under
 * `<warehouse>/processed/<database>/` and register them in `catalog` (the database is created).
 */
export async function loadEcommerceTables(warehouse: ObjectStore, catalog: Catalog, options: LoadOptions = {}): Promise<void> {
  const database = options.database ?? 'ecommerce';
  const format = options.format ?? 'delta';
  const data = await readEcommerceData();
  await catalog.createDatabase(database);
  const tables: [string, arrow.Table, string[]][] = [
    ['products', data.products, []],
    ['orders', data.orders, ['date']],
    ['order_items', data.orderItems, ['date']],
  ];
  if (options.rejected ?? true) tables.push(['rejected_records', rejectedRecords(), []]);
  for (const [name, rows, partitionColumns] of tables) {
    const key = tableKey(database, name);
    const store = new PrefixedStore(warehouse, key);
    if (format === 'iceberg') {
      const table = await IcebergTable.create(store, catalog, `${database}.${name}`, { schema: rows.schema, partitionBy: partitionColumns });
      await writeIceberg(table, rows);
    } else {
      await write(await DeltaTable.create(store, { schema: rows.schema, partitionColumns }), rows);
    }
    await catalog.registerTable({ database, name, format, location: warehouse.uriOf(key), schema: rows.schema, partitionKeys: partitionColumns });
  }
}

/** An Arrow table of `schema` from one JS array per column (numbers, strings, bigints, nulls). */
export function tableOf(schema: arrow.Schema, columns: unknown[][]): arrow.Table {
  if (columns.length !== schema.fields.length) throw new Error(`${columns.length} columns for a schema of ${schema.fields.length}`);
  const length = columns[0]?.length ?? 0;
  const children = schema.fields.map((field, i) => dataOf(field.type, columns[i]!, length));
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, children, nullCount: 0 });
  return new arrow.Table([new arrow.RecordBatch(schema, struct)]);
}

function dataOf(type: arrow.DataType, values: unknown[], length: number): arrow.Data {
  const validity = new Uint8Array((length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nulls++;
    else validity[i >> 3]! |= 1 << (i & 7);
  });
  const nullBitmap = nulls ? validity : undefined;
  if (arrow.DataType.isUtf8(type)) {
    return arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8()).data[0]!;
  }
  let data: Int32Array | Float64Array | BigInt64Array;
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) data = BigInt64Array.from(values, (v) => BigInt((v as bigint | number | null) ?? 0));
  else if (arrow.DataType.isTimestamp(type)) data = BigInt64Array.from(values, (v) => BigInt((v as bigint | number | null) ?? 0));
  else if (arrow.DataType.isFloat(type)) data = Float64Array.from(values, (v) => Number(v ?? 0));
  else data = Int32Array.from(values, (v) => Number(v ?? 0));
  return arrow.makeData({ type: type as arrow.Int32, length, data: data as unknown as Int32Array, nullBitmap, nullCount: nulls });
}
