/** Encoding choices of the Parquet writer: key-like integer and timestamp columns are delta-encoded, others get a dictionary. */
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { ParquetFileWriter, keyLikeColumns } from '../../etl/parquet/writer.js';
import { openStore } from '../../etl/storage/open-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { tempDir } from '../support/stores.js';

test('unique ids and event times are written DELTA_BINARY_PACKED; low-cardinality columns keep their dictionary; every value reads back', async () => {
  const dir = tempDir();
  const schema = ORDER_ITEMS_SCHEMA;
  const writer = new ParquetFileWriter(openStore(dir), schema, () => 'part.parquet');
  for (const batch of orderItems(20_000, 0, { days: 1 }).batches) await writer.write(batch);
  const [file] = await writer.close();
  expect(keyLikeColumns(schema, file!.stats, file!.numRecords)).toEqual(['id', 'order_timestamp']);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`SELECT path_in_schema AS col, encodings FROM parquet_metadata('${join(dir, 'part.parquet')}')`)).getRowObjectsJson() as { col: string; encodings: string }[];
  const enc = Object.fromEntries(rows.map((r) => [r.col, r.encodings]));
  expect(enc.id).not.toContain('DICTIONARY');
  expect(enc.id).toContain('DELTA_BINARY_PACKED');
  expect(enc.order_timestamp).toContain('DELTA_BINARY_PACKED');
  expect(enc.product_id).toContain('RLE_DICTIONARY');
  expect(enc.reordered).toContain('RLE_DICTIONARY');
  const count = (await c.runAndReadAll(`SELECT count(DISTINCT id)::INTEGER AS n FROM read_parquet('${join(dir, 'part.parquet')}')`)).getRowObjectsJson() as { n: number }[];
  expect(count[0]!.n).toBe(20_000);
  // The same rows as written: DuckDB's sums over the delta-encoded columns equal the fixture's.
  const expected = orderItems(20_000, 0, { days: 1 });
  let ids = 0n;
  let times = 0n;
  for (const batch of expected.batches) {
    for (let i = 0; i < batch.numRows; i++) {
      ids += BigInt(batch.getChild('id')!.get(i) as number | bigint);
      times += BigInt(Math.round(Number(batch.getChild('order_timestamp')!.get(i)) * 1000)); // Arrow JS reads timestamps as ms
    }
  }
  const sums = (await c.runAndReadAll(`SELECT sum(id)::VARCHAR AS ids, sum(epoch_us(order_timestamp))::VARCHAR AS times FROM read_parquet('${join(dir, 'part.parquet')}')`)).getRowObjectsJson() as { ids: string; times: string }[];
  expect(sums[0]).toEqual({ ids: String(ids), times: String(times) });
  c.closeSync();
});
