/**
 * The Parquet encoder thread (`LAKEHOUSE_PARQUET_WORKER=1`): small files are encoded there in one go,
 * larger ones stream there batch by batch and roll at the target size; the files hold exactly the rows
 * written, with the same statistics, and read back like files encoded on the calling thread.
 */
import * as arrow from 'apache-arrow';
import { readParquetTable } from '../../etl/parquet/reader.js';
import { ParquetFileWriter } from '../../etl/parquet/writer.js';
import { MemoryStore } from '../support/memory-store.js';

const SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('ts', new arrow.TimestampMicrosecond('UTC'), true),
  new arrow.Field('label', new arrow.Utf8(), true),
]);

function batch(start: number, n: number): arrow.RecordBatch {
  const children = [
    arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from({ length: n }, (_, i) => start + i) }),
    arrow.makeData({ type: SCHEMA.fields[1]!.type as arrow.TimestampMicrosecond, length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(start + i) * 1_000_000n) as never }),
    arrow.vectorFromArray(Array.from({ length: n }, (_, i) => `label ${(start + i) % 7}`), new arrow.Utf8()).data[0]!,
  ];
  return new arrow.RecordBatch(SCHEMA, arrow.makeData({ type: new arrow.Struct(SCHEMA.fields), length: n, children, nullCount: 0 }));
}

describe('the encoder thread', () => {
  const before = process.env.LAKEHOUSE_PARQUET_WORKER;
  beforeAll(() => {
    process.env.LAKEHOUSE_PARQUET_WORKER = '1';
  });
  afterAll(() => {
    if (before === undefined) delete process.env.LAKEHOUSE_PARQUET_WORKER;
    else process.env.LAKEHOUSE_PARQUET_WORKER = before;
  });

  test.each([
    { name: 'one small file, encoded in one go', rows: 500, target: undefined },
    { name: 'streamed files rolling at the target size', rows: 120_000, target: 512 * 1024 },
  ])('$name', async ({ rows, target }) => {
    const store = new MemoryStore();
    let n = 0;
    const writer = new ParquetFileWriter(store, SCHEMA, () => `data/part-${n++}.parquet`, target === undefined ? {} : { targetFileSize: target });
    for (let at = 0; at < rows; at += 5000) await writer.write(batch(at, Math.min(5000, rows - at)));
    const files = await writer.close();
    if (target !== undefined) expect(files.length).toBeGreaterThan(1);
    const ids: number[] = [];
    for (const f of files) {
      const t = readParquetTable(await store.get(f.key));
      expect(t.numRows).toBe(f.numRecords);
      const col = t.getChild('id')!;
      const got = Array.from({ length: t.numRows }, (_, i) => Number(col.get(i)));
      expect(f.stats['id']).toEqual({ nullCount: 0, min: Math.min(...got), max: Math.max(...got) });
      expect(Object.keys(f.columnSizes ?? {}).sort()).toEqual(['id', 'label', 'ts']);
      ids.push(...got);
      expect(Number(t.getChild('ts')!.get(0) as number | bigint)).toBeGreaterThanOrEqual(0);
    }
    expect(ids).toEqual(Array.from({ length: rows }, (_, i) => i));
  });
});
