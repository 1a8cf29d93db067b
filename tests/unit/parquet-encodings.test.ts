/** Encoding choices of the Parquet writer: key-like integer columns are written plain, others with a dictionary. */
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { ParquetFileWriter, keyLikeColumns } from '../../etl/parquet/writer.js';
import { openStore } from '../../etl/storage/open-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { tempDir } from '../support/stores.js';

test('unique ids are written plain; low-cardinality columns keep their dictionary', async () => {
  const dir = tempDir();
  const schema = ORDER_ITEMS_SCHEMA;
  const writer = new ParquetFileWriter(openStore(dir), schema, () => 'part.parquet');
  for (const batch of orderItems(20_000, 0, { days: 1 }).batches) await writer.write(batch);
  const [file] = await writer.close();
  expect(keyLikeColumns(schema, file!.stats, file!.numRecords)).toEqual(['id']);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const rows = (await c.runAndReadAll(`SELECT path_in_schema AS col, encodings FROM parquet_metadata('${join(dir, 'part.parquet')}')`)).getRowObjectsJson() as { col: string; encodings: string }[];
  const enc = Object.fromEntries(rows.map((r) => [r.col, r.encodings]));
  expect(enc.id).not.toContain('DICTIONARY');
  expect(enc.product_id).toContain('RLE_DICTIONARY');
  expect(enc.reordered).toContain('RLE_DICTIONARY');
  const count = (await c.runAndReadAll(`SELECT count(DISTINCT id)::INTEGER AS n FROM read_parquet('${join(dir, 'part.parquet')}')`)).getRowObjectsJson() as { n: number }[];
  expect(count[0]!.n).toBe(20_000);
  c.closeSync();
});
