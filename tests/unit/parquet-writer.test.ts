/**
 * The Parquet writer and reader: round trips of every supported type, the physical layout DuckDB
 * sees (types, field ids, codecs, row groups), rolling files, schema checks, failure recovery and a
 * 2M-row stream.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  Bool,
  type Data,
  type DataType,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  List,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Type,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { NotFoundError, UsageError } from '../../etl/errors.js';
import {
  arrowByteSize,
  encodeParquet,
  normalizeToSchema,
  ParquetDecodeError,
  ParquetFileWriter,
  readParquetFile,
  readParquetSchema,
  readParquetTable,
  SchemaMismatchError,
  writeParquetStream,
  type WrittenFile,
} from '../../etl/parquet/index.js';
import type { Body, ObjectMeta } from '../../etl/storage/object-store.js';
import { MemoryStore } from '../support/memory-store.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A fixed-width column from raw values, null where `valid[i]` is false. */
function fixed(type: DataType, values: ArrayBufferView, valid: boolean[]): Data {
  const bitmap = new Uint8Array((valid.length + 7) >> 3);
  valid.forEach((v, i) => {
    if (v) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return makeData({ type, length: valid.length, nullCount: valid.filter((v) => !v).length, nullBitmap: bitmap, data: values } as never);
}

/** A record batch of `schema` from one Data per field. */
function batchFrom(schema: Schema, children: Data[]): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: children[0]!.length, nullCount: 0, children }));
}

const fid = (id: number) => new Map([['PARQUET:field_id', String(id)]]);

/** Every type the writer supports, with Parquet field ids, including nested ones. */
const ALL_TYPES = new Schema([
  new Field('id', new Int32(), false, fid(1)),
  new Field('i8', new Int8(), true, fid(2)),
  new Field('i16', new Int16(), true, fid(3)),
  new Field('i64', new Int64(), true, fid(4)),
  new Field('f32', new Float32(), true, fid(5)),
  new Field('f64', new Float64(), true, fid(6)),
  new Field('b', new Bool(), true, fid(7)),
  new Field('s', new Utf8(), true, fid(8)),
  new Field('ls', new LargeUtf8(), true, fid(9)),
  new Field('cat', new Dictionary(new Utf8(), new Int32()), true, fid(10)),
  new Field('dd', new DateDay(), true, fid(11)),
  new Field('dms', new DateMillisecond(), true, fid(12)),
  new Field('ts_us', new TimestampMicrosecond('UTC'), true, fid(13)),
  new Field('ts_ms', new TimestampMillisecond(), true, fid(14)),
  new Field('ts_s', new TimestampSecond('UTC'), true, fid(15)),
  new Field('ts_ns', new TimestampNanosecond('UTC'), true, fid(16)),
  new Field('dec', new Decimal(2, 18, 128), true, fid(17)),
  new Field('tags', new List(new Field('element', new Utf8(), true, fid(19))), true, fid(18)),
  new Field(
    'addr',
    new Struct([new Field('city', new Utf8(), true, fid(21)), new Field('since', new TimestampMillisecond('UTC'), true, fid(22))]),
    true,
    fid(20),
  ),
]);

/** `n` rows of ALL_TYPES for ids `start ..< start + n`; nulls on rows where id % 5 == 2. */
function allTypesBatch(start: number, n: number): RecordBatch {
  const ids = Array.from({ length: n }, (_, i) => start + i);
  const valid = ids.map((k) => k % 5 !== 2);
  const opt = <T>(f: (k: number) => T) => ids.map((k, i) => (valid[i] ? f(k) : null));
  const cities = ['Oslo', 'Zürich', '東京', 'São Paulo'];
  const sinceMs = BigInt64Array.from(ids, (k) => 1_600_000_000_000n + BigInt(k) * 1_001n);
  const addrValid = ids.map((k) => k % 7 !== 4);
  const addrBitmap = new Uint8Array((n + 7) >> 3);
  addrValid.forEach((v, i) => {
    if (v) addrBitmap[i >> 3]! |= 1 << (i & 7);
  });
  const dec = new Uint32Array(n * 4);
  ids.forEach((k, i) => {
    const v = BigInt(k) * 100n + 7n;
    const signed = k % 2 ? -v : v;
    const words = BigUint64Array.from([BigInt.asUintN(64, signed), signed < 0n ? 2n ** 64n - 1n : 0n]);
    dec.set(new Uint32Array(words.buffer), i * 4);
  });
  return batchFrom(ALL_TYPES, [
    fixed(new Int32(), Int32Array.from(ids), ids.map(() => true)),
    fixed(new Int8(), Int8Array.from(ids, (k) => (k % 200) - 100), valid),
    fixed(new Int16(), Int16Array.from(ids, (k) => (k * 7) % 30000), valid),
    fixed(new Int64(), BigInt64Array.from(ids, (k) => BigInt(k) * 1_000_000_007n - 5n), valid),
    fixed(new Float32(), Float32Array.from(ids, (k) => k / 4), valid),
    fixed(new Float64(), Float64Array.from(ids, (k) => (k % 17 === 0 ? NaN : k * 1.5 - 7)), valid),
    vectorFromArray(opt((k) => k % 3 === 0), new Bool()).data[0]!,
    vectorFromArray(opt((k) => `row-${k}-é😀`), new Utf8()).data[0]!,
    vectorFromArray(opt((k) => `large-${k}`), new LargeUtf8()).data[0]!,
    vectorFromArray(opt((k) => ['alpha', 'beta', 'gamma'][k % 3]!), new Dictionary(new Utf8(), new Int32())).data[0]!,
    fixed(new DateDay(), Int32Array.from(ids, (k) => 18_000 + k - 40_000), valid),
    fixed(new DateMillisecond(), BigInt64Array.from(ids, (k) => BigInt(18_000 + k) * 86_400_000n), valid),
    fixed(new TimestampMicrosecond('UTC'), BigInt64Array.from(ids, (k) => 1_700_000_000_000_000n + BigInt(k) * 1_000_001n), valid),
    fixed(new TimestampMillisecond(), BigInt64Array.from(ids, (k) => 1_700_000_000_000n - BigInt(k) * 3n), valid),
    fixed(new TimestampSecond('UTC'), BigInt64Array.from(ids, (k) => 1_700_000_000n + BigInt(k)), valid),
    fixed(new TimestampNanosecond('UTC'), BigInt64Array.from(ids, (k) => (1_700_000_000_000_000n + BigInt(k)) * 1000n), valid),
    fixed(new Decimal(2, 18, 128), dec, valid),
    vectorFromArray(
      opt((k) => (k % 4 === 0 ? [] : [`t${k}`, k % 3 === 0 ? null : 'x'])),
      new List(new Field('element', new Utf8(), true)),
    ).data[0]!,
    makeData({
      type: ALL_TYPES.fields[18]!.type as Struct,
      length: n,
      nullCount: addrValid.filter((v) => !v).length,
      nullBitmap: addrBitmap,
      children: [
        vectorFromArray(ids.map((k) => (k % 11 === 0 ? null : cities[k % 4]!)), new Utf8()).data[0]!,
        fixed(new TimestampMillisecond('UTC'), sinceMs, ids.map((k) => k % 13 !== 0)),
      ],
    }),
  ]);
}

/** A value from Arrow JS as something `toEqual` compares meaningfully. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (ArrayBuffer.isView(value)) return String(value); // decimals (DecimalBigNum)
  const v = value as { toJSON?: () => unknown; [Symbol.iterator]?: () => Iterator<unknown> };
  if (typeof v[Symbol.iterator] === 'function') return [...(value as Iterable<unknown>)].map(plain);
  if (typeof v.toJSON === 'function') {
    return Object.fromEntries(Object.entries(v.toJSON() as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
  }
  return value;
}

/** Every cell of a column: raw storage values for fixed-width primitives, `plain(get(i))` otherwise. */
function cells(vector: Vector): unknown[] {
  const out: unknown[] = [];
  for (const data of vector.data) {
    const chunk = makeVector(data);
    const raw = data.typeId !== Type.Bool && data.typeId !== Type.Dictionary && data.typeId !== Type.Decimal && !data.valueOffsets && data.children.length === 0;
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) out.push(null);
      else out.push(raw ? (data.values as unknown as ArrayLike<unknown>)[i] : plain(chunk.get(i)));
    }
  }
  return out;
}

/** Column name → cells, for a whole table. */
function columns(table: Table): Record<string, unknown[]> {
  return Object.fromEntries(table.schema.fields.map((f) => [f.name, cells(table.getChild(f.name)!)]));
}

/** An endless counter of file keys. */
function keys(prefix = 'data/part'): () => string {
  let n = 0;
  return () => `${prefix}-${String(n++).padStart(5, '0')}.parquet`;
}

/** Ids stored in a set of files, read back through the store. */
async function idsIn(store: MemoryStore, files: WrittenFile[], column = 'id'): Promise<number[]> {
  const ids: number[] = [];
  for (const file of files) {
    const table = await readParquetFile(store, file.key, { columns: [column] });
    expect(table.numRows).toBe(file.numRecords);
    for (const data of table.getChild(column)!.data) ids.push(...(data.values as Int32Array));
  }
  return ids;
}

let dir: string;
let instance: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parquet-writer-'));
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
});
afterAll(() => {
  db.closeSync();
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

let fileCounter = 0;
/** Put `bytes` on disk and run `sql` with `$file` replaced by its path. */
async function duck(bytes: Uint8Array, sql: string): Promise<Record<string, unknown>[]> {
  const path = join(dir, `f${fileCounter++}.parquet`);
  writeFileSync(path, bytes);
  const reader = await db.runAndReadAll(sql.replaceAll('$file', `'${path}'`));
  return reader.getRowObjectsJS() as Record<string, unknown>[];
}

// ---------------------------------------------------------------------------------------------

describe('round trip', () => {
  test('every supported type, with nulls, reads back equal after normalizeToSchema', async () => {
    const store = new MemoryStore();
    const batches = [allTypesBatch(0, 300), allTypesBatch(300, 123)];
    const writer = new ParquetFileWriter(store, ALL_TYPES, keys());
    for (const b of batches) await writer.write(b);
    const files = await writer.close();
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.numRecords).toBe(423);
    expect(store.keys()).toEqual([file.key]);
    expect(file.size).toBe((await store.head(file.key))!.size);

    const raw = await readParquetFile(store, file.key);
    const back = normalizeToSchema(raw, ALL_TYPES);
    const original = new Table(ALL_TYPES, batches);
    expect(back.numRows).toBe(423);
    expect(columns(back)).toEqual(columns(original));
    // Field metadata survives (from the file for the raw read, from the schema after normalizing).
    expect(raw.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(ALL_TYPES.fields.map((f) => f.metadata.get('PARQUET:field_id')));
  });

  test('what comes back before normalizing: storage types, dictionaries kept', () => {
    const raw = readParquetTable(encodeParquet(new Table(ALL_TYPES, [allTypesBatch(0, 50)])));
    const types = Object.fromEntries(raw.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toMatchObject({
      cat: 'Dictionary<Int32, Utf8>',
      ls: 'LargeUtf8',
      dd: 'Date32<DAY>',
      dms: 'Date32<DAY>',
      ts_us: 'Timestamp<MICROSECOND, UTC>',
      ts_ms: 'Timestamp<MICROSECOND, UTC>',
      ts_s: 'Timestamp<MICROSECOND, UTC>',
      ts_ns: 'Timestamp<MICROSECOND, UTC>',
      addr: 'Struct<{city:Utf8, since:Timestamp<MICROSECOND, UTC>}>',
    });
    // Values were converted, not relabelled: 1_700_000_000_000 ms is 1_700_000_000_000_000 µs.
    expect((raw.getChild('ts_ms')!.data[0]!.values as BigInt64Array)[0]).toBe(1_700_000_000_000_000n);
    expect((raw.getChild('dms')!.data[0]!.values as Int32Array)[0]).toBe(18_000);
  });

  test('nanoseconds floor to microseconds; Date64 floors to days; sliced input keeps its nulls', () => {
    const schema = new Schema([new Field('ns', new TimestampNanosecond(), true), new Field('d', new DateMillisecond(), true)]);
    const valid = Array.from({ length: 20 }, (_, i) => i % 3 !== 1);
    const ns = BigInt64Array.from({ length: 20 }, (_, i) => BigInt(i) * 1_999n - 10_000n);
    const ms = BigInt64Array.from({ length: 20 }, (_, i) => BigInt(i - 10) * 43_200_000n + 1n);
    const batch = batchFrom(schema, [fixed(new TimestampNanosecond(), ns, valid), fixed(new DateMillisecond(), ms, valid)]).slice(5, 18);
    const back = readParquetTable(encodeParquet(new Table([batch])));
    const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
    const expectNs = Array.from({ length: 13 }, (_, i) => (valid[i + 5] ? floorDiv(ns[i + 5]!, 1000n) : null));
    const expectDays = Array.from({ length: 13 }, (_, i) => (valid[i + 5] ? Math.floor(Number(ms[i + 5]!) / 86_400_000) : null));
    expect(cells(back.getChild('ns')!)).toEqual(expectNs);
    expect(cells(back.getChild('d')!)).toEqual(expectDays);
  });

  test('batches carrying different dictionaries land in one file correctly', async () => {
    const schema = new Schema([new Field('c', new Dictionary(new Utf8(), new Int32()), true)]);
    const one = new Table({ c: vectorFromArray(['a', 'b', 'a'], new Dictionary(new Utf8(), new Int32())) }).batches[0]!;
    const two = new Table({ c: vectorFromArray(['zz', null, 'yy', 'b'], new Dictionary(new Utf8(), new Int32())) }).batches[0]!;
    const store = new MemoryStore();
    const [file] = await writeParquetStream(store, schema, (async function* () {
      yield one;
      yield two;
    })(), keys());
    expect(file!.stats).toEqual({ c: { nullCount: 1, min: 'a', max: 'zz' } });
    const back = normalizeToSchema(await readParquetFile(store, file!.key), new Schema([new Field('c', new Utf8(), true)]));
    expect(cells(back.getChild('c')!)).toEqual(['a', 'b', 'a', 'zz', null, 'yy', 'b']);
  });
});

describe('the file as DuckDB sees it', () => {
  test('timestamps are INT64 TIMESTAMP(MICROS, UTC), dates INT32 DATE, field ids set', async () => {
    const bytes = encodeParquet(new Table(ALL_TYPES, [allTypesBatch(0, 10)]));
    const rows = await duck(bytes, 'SELECT name, type, converted_type, logical_type, field_id, scale::INTEGER AS scale, precision::INTEGER AS precision FROM parquet_schema($file)');
    const byName = new Map(rows.map((r) => [r.name as string, r]));
    for (const name of ['ts_us', 'ts_ms', 'ts_s', 'ts_ns', 'since']) {
      expect([name, byName.get(name)!.type, byName.get(name)!.converted_type]).toEqual([name, 'INT64', 'TIMESTAMP_MICROS']);
      expect(byName.get(name)!.logical_type).toContain('isAdjustedToUTC=1');
      expect(byName.get(name)!.logical_type).toContain('MICROS=MicroSeconds()');
    }
    for (const name of ['dd', 'dms']) {
      expect([name, byName.get(name)!.type, byName.get(name)!.converted_type]).toEqual([name, 'INT32', 'DATE']);
    }
    // arrow-rs stores decimals of precision <= 18 as INT64 DECIMAL.
    expect(byName.get('dec')).toMatchObject({ type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18 });
    const ids = Object.fromEntries(rows.filter((r) => r.field_id !== null).map((r) => [r.name as string, Number(r.field_id)]));
    expect(ids).toEqual({
      id: 1, i8: 2, i16: 3, i64: 4, f32: 5, f64: 6, b: 7, s: 8, ls: 9, cat: 10, dd: 11, dms: 12,
      ts_us: 13, ts_ms: 14, ts_s: 15, ts_ns: 16, dec: 17, tags: 18, element: 19, addr: 20, city: 21, since: 22,
    });
  });

  test('DuckDB reads the same values', async () => {
    const batch = allTypesBatch(0, 40);
    const rows = await duck(
      encodeParquet(new Table([batch])),
      `SELECT id, i64::VARCHAR AS i64, s, cat, epoch_us(ts_ms)::VARCHAR AS ts_ms, epoch_us(ts_ns)::VARCHAR AS ts_ns,
              (dms - DATE '1970-01-01') AS dms, dec::VARCHAR AS dec, addr.city AS city FROM read_parquet($file) ORDER BY id`,
    );
    expect(rows).toHaveLength(40);
    const k = 13; // a row without nulls
    expect(rows[k]).toEqual({
      id: 13,
      i64: String(13n * 1_000_000_007n - 5n),
      s: 'row-13-é😀',
      cat: 'beta',
      ts_ms: String((1_700_000_000_000n - 39n) * 1000n),
      ts_ns: String(1_700_000_000_000_000n + 13n),
      dms: 18_013n,
      dec: '-13.07',
      city: 'Zürich',
    });
    expect(rows[2]).toMatchObject({ id: 2, i64: null, s: null, cat: null, ts_ms: null, dms: null, dec: null });
  });

  test('zstd by default, snappy (and the others) when asked', async () => {
    const table = new Table([allTypesBatch(0, 100)]);
    const codecOf = async (bytes: Uint8Array) =>
      (await duck(bytes, 'SELECT DISTINCT compression FROM parquet_metadata($file)')).map((r) => r.compression);
    expect(await codecOf(encodeParquet(table))).toEqual(['ZSTD']);
    expect(await codecOf(encodeParquet(table, { codec: 'snappy' }))).toEqual(['SNAPPY']);
    expect(await codecOf(encodeParquet(table, { codec: 'gzip' }))).toEqual(['GZIP']);
    expect(await codecOf(encodeParquet(table, { codec: 'lz4' }))).toEqual(['LZ4_RAW']);
    expect(await codecOf(encodeParquet(table, { codec: 'uncompressed' }))).toEqual(['UNCOMPRESSED']);
    // And the writer passes the option through.
    const store = new MemoryStore();
    const [file] = await writeParquetStream(store, ALL_TYPES, (async function* () {
      yield allTypesBatch(0, 10);
    })(), keys(), { codec: 'snappy' });
    expect(await codecOf(await store.get(file!.key))).toEqual(['SNAPPY']);
  });

  test('dictionary encoding and statistics are on', async () => {
    const rows = await duck(
      encodeParquet(new Table([allTypesBatch(0, 100)])),
      "SELECT path_in_schema, encodings, stats_null_count FROM parquet_metadata($file) WHERE path_in_schema IN ('s', 'cat', 'id')",
    );
    for (const row of rows) {
      expect(row.encodings).toContain('RLE_DICTIONARY');
      expect(row.stats_null_count).not.toBeNull();
    }
  });

  test('row groups hold at most rowGroupSize rows', async () => {
    const schema = new Schema([new Field('id', new Int32(), false)]);
    const table = new Table(schema, [batchFrom(schema, [fixed(new Int32(), Int32Array.from({ length: 2500 }, (_, i) => i), Array(2500).fill(true))])]);
    const rows = await duck(encodeParquet(table, { rowGroupSize: 1000 }), 'SELECT row_group_id, row_group_num_rows FROM parquet_metadata($file) ORDER BY 1');
    expect(rows.map((r) => Number(r.row_group_num_rows))).toEqual([1000, 1000, 500]);
    expect(() => encodeParquet(table, { rowGroupSize: 0 })).toThrow(UsageError);
  });
});

describe('rolling files', () => {
  test('a small targetFileSize rolls into several files; rows add up and every row is present once', async () => {
    const store = new MemoryStore();
    const writer = new ParquetFileWriter(store, ALL_TYPES, keys(), { targetFileSize: 64 * 1024 });
    const total = 3000;
    for (let start = 0; start < total; start += 250) {
      await writer.write(allTypesBatch(start, 250));
      expect(writer.bufferedBytes).toBeLessThan(64 * 1024); // flushed as soon as the target was reached
    }
    const files = await writer.close();
    expect(files.length).toBeGreaterThan(2);
    expect(store.keys()).toEqual(files.map((f) => f.key));
    expect(files.map((f) => f.key)).toEqual(files.map((_, i) => `data/part-${String(i).padStart(5, '0')}.parquet`));
    expect(files.reduce((n, f) => n + f.numRecords, 0)).toBe(total);
    const ids = await idsIn(store, files);
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));

    // Each file's stats and sizes describe that file.
    let first = 0;
    for (const file of files) {
      expect(file.stats['id']).toEqual({ nullCount: 0, min: first, max: first + file.numRecords - 1 });
      first += file.numRecords;
      const bytes = await store.get(file.key);
      expect(file.size).toBe(bytes.byteLength);
      const sizes = await duck(bytes, 'SELECT path_in_schema AS p, SUM(total_compressed_size) AS n FROM parquet_metadata($file) GROUP BY 1');
      const expected: Record<string, number> = {};
      for (const row of sizes) {
        const top = String(row.p).split(', ')[0]!;
        expected[top] = (expected[top] ?? 0) + Number(row.n);
      }
      expect(file.columnSizes).toEqual(expected);
      expect(Object.keys(file.columnSizes!).sort()).toEqual(ALL_TYPES.fields.map((f) => f.name).sort());
    }
  });

  test('flush writes what is buffered now; close returns every file; writing after close throws', async () => {
    const store = new MemoryStore();
    const writer = new ParquetFileWriter(store, ALL_TYPES, keys());
    expect(await writer.flush()).toBeUndefined();
    await writer.write(allTypesBatch(0, 10));
    expect(writer.bufferedBytes).toBeGreaterThan(0);
    expect(writer.bufferedRows).toBe(10);
    const first = await writer.flush();
    expect(first).toMatchObject({ key: 'data/part-00000.parquet', numRecords: 10 });
    expect(writer.bufferedBytes).toBe(0);
    await writer.write(allTypesBatch(10, 0)); // empty batches are ignored
    await writer.write(allTypesBatch(10, 5));
    const files = await writer.close();
    expect(files.map((f) => f.numRecords)).toEqual([10, 5]);
    expect(await writer.close()).toEqual(files);
    await expect(writer.write(allTypesBatch(15, 1))).rejects.toBeInstanceOf(UsageError);
  });

  test('overlapping unawaited writes still write every row once; close waits for them', async () => {
    const store = new MemoryStore();
    const writer = new ParquetFileWriter(store, ALL_TYPES, keys(), { targetFileSize: 32 * 1024 });
    const writes = Array.from({ length: 12 }, (_, i) => writer.write(allTypesBatch(i * 100, 100)));
    const files = await writer.close();
    await Promise.all(writes);
    expect(files.length).toBeGreaterThan(1);
    expect(new Set(files.map((f) => f.key)).size).toBe(files.length);
    expect((await idsIn(store, files)).sort((a, b) => a - b)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  test('a failed put keeps the encoded file (not the rows); the next close stores it under a new key', async () => {
    class FlakyStore extends MemoryStore {
      failures = 1;
      override async put(key: string, body: Body): Promise<ObjectMeta> {
        if (this.failures-- > 0) throw new Error('socket reset');
        return super.put(key, body);
      }
    }
    const store = new FlakyStore();
    const writer = new ParquetFileWriter(store, ALL_TYPES, keys());
    await writer.write(allTypesBatch(0, 20));
    await expect(writer.close()).rejects.toThrow('socket reset');
    expect(writer.bufferedRows).toBe(0);
    await writer.write(allTypesBatch(20, 5));
    const files = await writer.close();
    expect(files.map((f) => [f.key, f.numRecords])).toEqual([
      ['data/part-00001.parquet', 20],
      ['data/part-00002.parquet', 5],
    ]);
    expect(files[0]!.stats['id']).toEqual({ nullCount: 0, min: 0, max: 19 });
    expect((await idsIn(store, files)).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(await store.head('data/part-00000.parquet')).toBeUndefined();
  });

  test('sliced batches write exactly their rows', async () => {
    const store = new MemoryStore();
    const big = allTypesBatch(0, 200);
    const writer = new ParquetFileWriter(store, ALL_TYPES, keys());
    for (const [start, end] of [
      [3, 50],
      [77, 78],
      [101, 190],
    ] as const) {
      await writer.write(big.slice(start, end));
    }
    const [file] = await writer.close();
    const expectedIds = [...Array.from({ length: 47 }, (_, i) => 3 + i), 77, ...Array.from({ length: 89 }, (_, i) => 101 + i)];
    expect(file!.numRecords).toBe(expectedIds.length);
    expect(file!.stats['id']).toEqual({ nullCount: 0, min: 3, max: 189 });
    const back = normalizeToSchema(await readParquetFile(store, file!.key), ALL_TYPES);
    const original = new Table(ALL_TYPES, [big.slice(3, 50), big.slice(77, 78), big.slice(101, 190)]);
    expect(cells(back.getChild('id')!)).toEqual(expectedIds);
    expect(columns(back)).toEqual(columns(original));
  });

  test('bufferedBytes counts the rows of a slice, not its whole parent buffers', () => {
    const big = allTypesBatch(0, 10_000);
    const whole = big.data.children.reduce((n, c) => n + arrowByteSize(c), 0);
    const slice = big.slice(100, 200);
    const part = slice.data.children.reduce((n, c) => n + arrowByteSize(c), 0);
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(whole / 50);
  });

  test('2M rows through writeParquetStream with a small target keep flowing', async () => {
    const schema = new Schema([
      new Field('id', new Int32(), false, fid(1)),
      new Field('amount', new Float64(), true, fid(2)),
      new Field('at', new TimestampMicrosecond('UTC'), true, fid(3)),
      new Field('customer', new Utf8(), true, fid(4)),
    ]);
    const total = 2_000_000;
    const size = 50_000;
    // Every batch starts at a multiple of 10,000: the customer column is the same for all of them.
    const customers = vectorFromArray(Array.from({ length: size }, (_, i) => `c${i % 10_000}`), new Utf8()).data[0]!;
    const all = Array(size).fill(true) as boolean[];
    async function* batches(): AsyncIterable<RecordBatch> {
      for (let start = 0; start < total; start += size) {
        const ids = new Int32Array(size);
        const amounts = new Float64Array(size);
        const at = new BigInt64Array(size);
        for (let i = 0; i < size; i++) {
          ids[i] = start + i;
          amounts[i] = (start + i) * 0.25;
        }
        const base = 1_700_000_000_000_000n + BigInt(start);
        for (let i = 0; i < size; i++) at[i] = base + BigInt(i);
        yield batchFrom(schema, [
          fixed(new Int32(), ids, all),
          fixed(new Float64(), amounts, all),
          fixed(new TimestampMicrosecond('UTC'), at, all),
          customers,
        ]);
      }
    }
    const store = new MemoryStore();
    const files = await writeParquetStream(store, schema, batches(), keys('big/part'), { targetFileSize: 8 * 1024 * 1024 });
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(files.reduce((n, f) => n + f.numRecords, 0)).toBe(total);
    const seen = new Uint8Array(total);
    for (const id of await idsIn(store, files)) seen[id]! += 1;
    expect(seen.every((c) => c === 1)).toBe(true);
    expect(files[files.length - 1]!.stats['id']!.max).toBe(total - 1);
  });
});

describe('schema checks', () => {
  const schema = new Schema([new Field('id', new Int32(), false), new Field('name', new Utf8(), true), new Field('at', new TimestampMicrosecond('UTC'), true)]);
  const good = () =>
    batchFrom(schema, [
      fixed(new Int32(), Int32Array.from([1, 2]), [true, true]),
      vectorFromArray(['a', 'b'], new Utf8()).data[0]!,
      fixed(new TimestampMicrosecond('UTC'), BigInt64Array.from([1n, 2n]), [true, true]),
    ]);

  async function mismatch(batch: RecordBatch): Promise<SchemaMismatchError> {
    const writer = new ParquetFileWriter(new MemoryStore(), schema, keys());
    const err = await writer.write(batch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SchemaMismatchError);
    expect(err).toMatchObject({ code: 'schema_mismatch', kind: 'terminal', transient: false });
    return err as SchemaMismatchError;
  }

  test('a column of another type is named', async () => {
    const other = new Schema([schema.fields[0]!, schema.fields[1]!, new Field('at', new TimestampMicrosecond(), true)]);
    const batch = new RecordBatch(other, good().data);
    const err = await mismatch(batch);
    expect(err.column).toBe('at');
    expect(err.message).toContain("'at'");
    expect(err.message).toContain('Timestamp<MICROSECOND>');
  });

  test('missing, extra and reordered columns are named', async () => {
    const b = good();
    expect((await mismatch(b.select(['id', 'at']) as RecordBatch)).column).toBe('name');
    const extra = new Schema([...schema.fields, new Field('x', new Int32(), true)]);
    const withExtra = batchFrom(extra, [...b.data.children, fixed(new Int32(), Int32Array.from([0, 0]), [true, true])]);
    expect((await mismatch(withExtra)).column).toBe('x');
    expect((await mismatch(b.selectAt([1, 0, 2]) as RecordBatch)).column).toBe('name');
  });

  test('nulls in a non-nullable column are refused', async () => {
    const b = batchFrom(schema, [fixed(new Int32(), Int32Array.from([1, 2]), [true, false]), ...good().data.children.slice(1)]);
    const err = await mismatch(b);
    expect(err.column).toBe('id');
    expect(err.message).toContain('null');
  });

  test('a fresh Dictionary type instance of the same shape matches', async () => {
    const dictSchema = new Schema([new Field('c', new Dictionary(new Utf8(), new Int32()), true)]);
    const writer = new ParquetFileWriter(new MemoryStore(), dictSchema, keys());
    await expect(writer.write(new Table({ c: vectorFromArray(['x'], new Dictionary(new Utf8(), new Int32())) }).batches[0]!)).resolves.toBeUndefined();
    await expect(writer.write(new Table({ c: vectorFromArray(['x'], new Dictionary(new Utf8(), new Int16())) }).batches[0]!)).rejects.toBeInstanceOf(SchemaMismatchError);
  });
});

describe('reading', () => {
  const bytes = () => encodeParquet(new Table(ALL_TYPES, [allTypesBatch(0, 30)]));

  test('readParquetTable and readParquetFile project columns in the asked order, leaving out unknown ones', async () => {
    const data = bytes();
    const t = readParquetTable(data, { columns: ['s', 'nope', 'id'] });
    expect(t.schema.fields.map((f) => f.name)).toEqual(['s', 'id']);
    expect(t.numRows).toBe(30);
    const store = new MemoryStore();
    await store.put('x.parquet', data);
    const f = await readParquetFile(store, 'x.parquet', { columns: ['ts_ms', 'addr', 'nope', 'id'] });
    expect(f.schema.fields.map((x) => x.name)).toEqual(['ts_ms', 'addr', 'id']);
    expect(cells(f.getChild('id')!)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(cells(f.getChild('addr')!)).toEqual(cells(readParquetTable(data).getChild('addr')!));
  });

  test('readParquetSchema gives the stored Arrow schema with field ids', () => {
    const schema = readParquetSchema(bytes());
    expect(schema.fields.map((f) => f.name)).toEqual(ALL_TYPES.fields.map((f) => f.name));
    expect(schema.fields[0]!.metadata.get('PARQUET:field_id')).toBe('1');
    expect(String(schema.fields[13]!.type)).toBe('Timestamp<MICROSECOND, UTC>');
  });

  test('batches come back 65,536 rows at a time by default', () => {
    const schema = new Schema([new Field('id', new Int32(), false)]);
    const n = 150_000;
    const table = new Table(schema, [batchFrom(schema, [fixed(new Int32(), Int32Array.from({ length: n }, (_, i) => i), Array(n).fill(true))])]);
    const back = readParquetTable(encodeParquet(table));
    expect(back.batches.map((b) => b.numRows)).toEqual([65_536, 65_536, n - 131_072]);
    expect(readParquetTable(encodeParquet(table), { batchSize: 100_000 }).batches.map((b) => b.numRows)).toEqual([100_000, 50_000]);
  });

  test('corrupt bytes and absent objects are typed errors', async () => {
    const data = bytes();
    expect(() => readParquetTable(data.subarray(0, data.length - 10))).toThrow(ParquetDecodeError);
    expect(() => readParquetTable(new Uint8Array(0))).toThrow(ParquetDecodeError);
    expect(() => readParquetSchema(new Uint8Array([1, 2, 3]))).toThrow(ParquetDecodeError);
    const store = new MemoryStore();
    await store.put('bad.parquet', new Uint8Array([80, 65, 82, 49, 0, 0, 0, 0, 80, 65, 82, 49]));
    await expect(readParquetFile(store, 'bad.parquet')).rejects.toMatchObject({ code: 'parquet_decode', message: expect.stringContaining('memory://test/bad.parquet') });
    await expect(readParquetFile(store, 'absent.parquet')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('normalizeToSchema', () => {
  test('Utf8 ↔ Dictionary, Utf8 ↔ LargeUtf8, timestamp units and zones, dates, missing nullable columns', () => {
    const source = new Table({
      s: vectorFromArray(['x', null, 'y', 'x'], new Utf8()),
      d: vectorFromArray(['p', 'q', null, 'p'], new Dictionary(new Utf8(), new Int32())),
      t: makeVector(fixed(new TimestampMicrosecond('UTC'), BigInt64Array.from([1_500n, -1n, 0n, 7_000n]), [true, true, false, true])),
      day: makeVector(fixed(new DateDay(), Int32Array.from([0, -1, 3, 0]), [true, true, true, false])),
      extra: vectorFromArray([1, 2, 3, 4], new Int32()),
    });
    const target = new Schema([
      new Field('s', new Dictionary(new Utf8(), new Int8()), true),
      new Field('d', new LargeUtf8(), true),
      new Field('t', new TimestampMillisecond(), true),
      new Field('day', new DateMillisecond(), true),
      new Field('added', new Utf8(), true, fid(99)),
    ]);
    const out = normalizeToSchema(source, target);
    expect(out.schema).toBe(target);
    expect(out.schema.fields.map((f) => String(f.type))).toEqual(target.fields.map((f) => String(f.type)));
    expect(cells(out.getChild('s')!)).toEqual(['x', null, 'y', 'x']);
    expect(cells(out.getChild('d')!)).toEqual(['p', 'q', null, 'p']);
    expect(cells(out.getChild('t')!)).toEqual([1n, -1n, null, 7n]); // µs → ms floors
    expect(cells(out.getChild('day')!)).toEqual([0n, -86_400_000n, 259_200_000n, null]);
    expect(cells(out.getChild('added')!)).toEqual([null, null, null, null]);
    // Back again.
    const again = normalizeToSchema(out, new Schema(source.schema.fields.slice(0, 4)));
    expect(columns(again)).toEqual({ s: ['x', null, 'y', 'x'], d: ['p', 'q', null, 'p'], t: [1000n, -1000n, null, 7000n], day: [0, -1, 3, null] });
  });

  test('incompatible or missing required columns name the column', () => {
    const source = new Table({ a: vectorFromArray([1, 2], new Int32()) });
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (err) {
        return err;
      }
      throw new Error('expected a throw');
    };
    const wrongType = thrown(() => normalizeToSchema(source, new Schema([new Field('a', new Utf8(), true)])));
    expect(wrongType).toBeInstanceOf(SchemaMismatchError);
    expect(wrongType).toMatchObject({ code: 'schema_mismatch', column: 'a' });
    const missing = thrown(() => normalizeToSchema(source, new Schema([new Field('b', new Int32(), false)])));
    expect(missing).toBeInstanceOf(SchemaMismatchError);
    expect(missing).toMatchObject({ column: 'b' });
  });
});
