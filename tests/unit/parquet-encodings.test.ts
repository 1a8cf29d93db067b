/** Encodings of written files: integer columns DELTA_BINARY_PACKED unless a dictionary pays, strings by cardinality; every value reads back. */
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { ParquetFileWriter } from '../../etl/parquet/writer.js';
import { openStore } from '../../etl/storage/open-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { tempDir } from '../support/stores.js';

/** The `encodings` DuckDB reports per column of a file. */
async function encodingsOf(path: string): Promise<Record<string, string>> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`SELECT path_in_schema AS col, encodings FROM parquet_metadata('${path}')`)).getRowObjectsJson() as { col: string; encodings: string }[];
  c.closeSync();
  return Object.fromEntries(rows.map((r) => [r.col, r.encodings]));
}

test('order_items: every integer and timestamp column is DELTA_BINARY_PACKED, and DuckDB reads back the same values', async () => {
  const dir = tempDir();
  const schema = ORDER_ITEMS_SCHEMA;
  const writer = new ParquetFileWriter(openStore(dir), schema, () => 'part.parquet');
  for (const batch of orderItems(20_000, 0, { days: 1 }).batches) await writer.write(batch);
  await writer.close();
  const path = join(dir, 'part.parquet');
  const enc = await encodingsOf(path);
  for (const field of schema.fields) {
    expect(enc[field.name]).toContain('DELTA_BINARY_PACKED');
    expect(enc[field.name]).not.toContain('DICTIONARY');
  }
  // The same rows as written: DuckDB's sums over the columns equal the fixture's.
  const expected = orderItems(20_000, 0, { days: 1 });
  const sums: Record<string, bigint> = {};
  for (const batch of expected.batches) {
    for (const field of schema.fields) {
      const v = batch.getChild(field.name)!;
      for (let i = 0; i < batch.numRows; i++) {
        const x = v.get(i) as number | bigint | null;
        if (x === null) continue;
        // Arrow JS reads timestamps and dates as milliseconds.
        const value = field.name === 'order_timestamp' ? Math.round(Number(x) * 1000) : field.name === 'date' ? Number(x) / 86_400_000 : x;
        sums[field.name] = (sums[field.name] ?? 0n) + BigInt(value);
      }
    }
  }
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const select = schema.fields.map((f) => (f.name === 'order_timestamp' ? `sum(epoch_us(${f.name}))::VARCHAR AS ${f.name}` : f.name === 'date' ? `sum(${f.name} - DATE '1970-01-01')::VARCHAR AS ${f.name}` : `sum(${f.name})::VARCHAR AS ${f.name}`));
  const got = (await c.runAndReadAll(`SELECT ${select.join(', ')} FROM read_parquet('${path}')`)).getRowObjectsJson()[0] as Record<string, string>;
  c.closeSync();
  expect(got).toEqual(Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, String(v)])));
});

test('a few repeated codes far apart keep a dictionary, low-cardinality strings keep theirs, unique strings are plain', async () => {
  const dir = tempDir();
  const schema = new arrow.Schema([
    new arrow.Field('code', new arrow.Int32(), false),
    new arrow.Field('label', new arrow.Utf8(), false),
    new arrow.Field('uuid', new arrow.Utf8(), false),
  ]);
  const n = 20_000;
  const codes = [200, 301, 404, 500, 503];
  const children = [
    arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => codes[(i * 7) % codes.length]! * 1_000) }),
    arrow.vectorFromArray(Array.from({ length: n }, (_, i) => ['small', 'medium', 'large'][i % 3]!), new arrow.Utf8()).data[0]!,
    arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `row-${i}-${(i * 2_654_435_761) % 4_294_967_291}`), new arrow.Utf8()).data[0]!,
  ];
  const batch = new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children, nullCount: 0 }));
  const writer = new ParquetFileWriter(openStore(dir), schema, () => 'codes.parquet');
  await writer.write(batch);
  await writer.close();
  const enc = await encodingsOf(join(dir, 'codes.parquet'));
  expect(enc.code).toContain('RLE_DICTIONARY');
  expect(enc.label).toContain('RLE_DICTIONARY');
  expect(enc.uuid).not.toContain('DICTIONARY');
});
