/**
 * Column statistics: computeStats against values computed independently from the source arrays,
 * mergeStats, and agreement with the statistics parquet-wasm writes into the file (read by DuckDB).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  Bool,
  type Data,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  type DataType,
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
  Uint32,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import {
  compareStatValues,
  computeStats,
  encodeParquet,
  mergeColumnStats,
  mergeStats,
  type ColumnStats,
} from '../../etl/parquet/index.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fixed-width column from raw values, null where `valid[i]` is false. */
function fixed(type: DataType, values: ArrayBufferView, valid: boolean[]): Data {
  const bitmap = new Uint8Array((valid.length + 7) >> 3);
  valid.forEach((v, i) => {
    if (v) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  const nullCount = valid.filter((v) => !v).length;
  return makeData({ type, length: valid.length, nullCount, nullBitmap: bitmap, data: values } as never);
}

/** A one-column record batch. */
function batchOf(name: string, data: Data): RecordBatch {
  const schema = new Schema([new Field(name, data.type, true)]);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: data.length, nullCount: 0, children: [data] }));
}

/** Expected stats of plain values, computed with a sort (independent of the kernels). */
function expected<T extends number | bigint | string | boolean>(values: (T | null)[], order: (a: T, b: T) => number): ColumnStats {
  const present = values.filter((v): v is T => v !== null && !(typeof v === 'number' && Number.isNaN(v)));
  const out: ColumnStats = { nullCount: values.filter((v) => v === null).length };
  if (present.length) {
    const sorted = [...present].sort(order);
    out.min = sorted[0]!;
    out.max = sorted[sorted.length - 1]!;
  }
  return out;
}

const numeric = (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0);
/** UTF-8 byte order, computed from the encoded bytes (independent of compareUtf8). */
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('computeStats per type', () => {
  const n = 1000;
  const r = rng(7);
  const valid = Array.from({ length: n }, (_, i) => i % 7 !== 3);

  test.each([
    ['Int8', new Int8(), Int8Array, 256, -128],
    ['Int16', new Int16(), Int16Array, 65536, -32768],
    ['Int32', new Int32(), Int32Array, 2 ** 32, -(2 ** 31)],
    ['Uint32', new Uint32(), Uint32Array, 2 ** 32, 0],
  ] as const)('%s: numbers, nulls skipped', (_name, type, Ctor, span, low) => {
    const values = new Ctor(n);
    for (let i = 0; i < n; i++) values[i] = Math.floor(r() * span) + low;
    // Put the extremes on null rows: they must not count.
    values[3] = low;
    values[10] = low + span - 1;
    const stats = computeStats(batchOf('c', fixed(type, values, valid)))['c']!;
    expect(stats).toEqual(expected(Array.from(values, (v, i) => (valid[i] ? v : null)), numeric));
    expect(typeof stats.min).toBe('number');
  });

  test('Int64: bigint min/max', () => {
    const values = new BigInt64Array(n);
    for (let i = 0; i < n; i++) values[i] = BigInt(Math.floor(r() * 2 ** 53)) * (r() < 0.5 ? -1n : 1n) * 1000n;
    values[3] = -(2n ** 63n); // null row
    const stats = computeStats(batchOf('c', fixed(new Int64(), values, valid)))['c']!;
    expect(stats).toEqual(expected(Array.from(values, (v, i) => (valid[i] ? v : null)), numeric));
    expect(typeof stats.min).toBe('bigint');
  });

  test('64-bit ints that differ only in their low or high 32-bit word, signed and unsigned, on a slice', () => {
    const signed = BigInt64Array.from([5n, -1n, 2n ** 32n, 2n ** 32n + 1n, -(2n ** 32n), -(2n ** 32n) - 1n, 0xffff_ffffn, -(2n ** 63n), 2n ** 63n - 1n, 7n]);
    const all = Array<boolean>(signed.length).fill(true);
    const whole = computeStats(batchOf('c', fixed(new Int64(), signed, all)))['c']!;
    expect(whole).toEqual({ nullCount: 0, min: -(2n ** 63n), max: 2n ** 63n - 1n });
    const part = computeStats(batchOf('c', fixed(new Int64(), signed, all)).slice(1, 7))['c']!;
    expect(part).toEqual({ nullCount: 0, min: -(2n ** 32n) - 1n, max: 2n ** 32n + 1n });
    const unsigned = BigUint64Array.from([2n ** 63n, 1n, 2n ** 64n - 1n, 2n ** 32n, 0xffff_ffffn, 2n ** 63n - 1n]);
    const u = computeStats(batchOf('c', fixed(new Uint64(), unsigned as never, Array<boolean>(unsigned.length).fill(true))))['c']!;
    expect(u).toEqual({ nullCount: 0, min: 1n, max: 2n ** 64n - 1n });
  });

  test.each([
    ['Float32', new Float32(), Float32Array],
    ['Float64', new Float64(), Float64Array],
  ] as const)('%s: NaN ignored, infinities count', (_name, type, Ctor) => {
    const values = new Ctor(n);
    for (let i = 0; i < n; i++) values[i] = (r() - 0.5) * 1e6;
    values[0] = NaN;
    values[1] = NaN;
    values[2] = -Infinity;
    const stats = computeStats(batchOf('c', fixed(type, values, valid)))['c']!;
    expect(stats).toEqual(expected(Array.from(values, (v, i) => (valid[i] ? v : null)), numeric));
    expect(stats.min).toBe(-Infinity);
  });

  test('floats that are all NaN or null have no min/max', () => {
    const stats = computeStats(batchOf('c', fixed(new Float64(), Float64Array.from([NaN, 1, NaN]), [true, false, true])))['c']!;
    expect(stats).toEqual({ nullCount: 1 });
  });

  test('Bool', () => {
    const values = new Uint8Array(1);
    values[0] = 0b00000110; // rows 1, 2 true
    expect(computeStats(batchOf('c', fixed(new Bool(), values, [true, true, true, false])))['c']).toEqual({ nullCount: 1, min: false, max: true });
    expect(computeStats(batchOf('c', fixed(new Bool(), values, [false, true, true, false])))['c']).toEqual({ nullCount: 2, min: true, max: true });
    expect(computeStats(batchOf('c', fixed(new Bool(), values, [true, false, false, true])))['c']).toEqual({ nullCount: 2, min: false, max: false });
  });

  test('Utf8 and LargeUtf8: UTF-8 byte order, not UTF-16 code units', () => {
    // In UTF-8, '\uFF61' (EF BD A1) sorts before '😀' (F0 9F 98 80); in UTF-16 code units it sorts after (FF61 > D83D).
    const values = ['b', '\uFF61', null, '😀', 'a', '', 'é', null, 'zz'];
    for (const type of [new Utf8(), new LargeUtf8()]) {
      const stats = computeStats(batchOf('s', vectorFromArray(values, type).data[0]!))['s']!;
      expect(stats).toEqual(expected(values, utf8Order));
      expect(stats).toEqual({ nullCount: 2, min: '', max: '😀' });
    }
    // JS `<` would have said otherwise: the test would not catch a code-unit implementation without this.
    expect('\uFF61' > '😀').toBe(true);
  });

  test('Utf8 random strings against an independent byte-order sort', () => {
    const alphabet = ['a', 'B', 'z', 'é', 'ß', '中', '\uFF61', '😀', '𝄞', ' '];
    const values = Array.from({ length: n }, (_, i) =>
      i % 11 === 0 ? null : Array.from({ length: Math.floor(r() * 6) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''),
    );
    expect(computeStats(batchOf('s', vectorFromArray(values, new Utf8()).data[0]!))['s']).toEqual(expected(values, utf8Order));
  });

  test('Dictionary<Int32, Utf8>: only dictionary entries rows use count', () => {
    // Dictionary holds 'aaa' and 'zzz' but no valid row points at them.
    const dictionary = vectorFromArray(['aaa', 'm', 'c', 'zzz', 'x'], new Utf8());
    const type = new Dictionary(new Utf8(), new Int32());
    const indices = Int32Array.from([1, 2, 0, 4, 3, 2]);
    const valid = [true, true, false, true, false, true];
    const bitmap = new Uint8Array([valid.reduce((b, v, i) => (v ? b | (1 << i) : b), 0)]);
    const data = makeData({ type, length: 6, nullCount: 2, nullBitmap: bitmap, data: indices, dictionary });
    expect(computeStats(batchOf('d', data))['d']).toEqual({ nullCount: 2, min: 'c', max: 'x' });
  });

  test('Dictionary built by vectorFromArray', () => {
    const values = ['red', null, 'green', 'blue', 'green', null];
    const stats = computeStats(batchOf('d', vectorFromArray(values, new Dictionary(new Utf8(), new Int32())).data[0]!))['d'];
    expect(stats).toEqual(expected(values, utf8Order));
  });

  test('DateDay and DateMillisecond give days', () => {
    const days = Int32Array.from([19000, -5, 20000, 7]);
    expect(computeStats(batchOf('d', fixed(new DateDay(), days, [true, true, false, true])))['d']).toEqual({ nullCount: 1, min: -5, max: 19000 });
    const ms = BigInt64Array.from([86_400_000n * 3n + 5n, -1n, 86_400_000n * 10n, 0n]);
    // -1 ms is 1969-12-31: day -1 (floored).
    expect(computeStats(batchOf('d', fixed(new DateMillisecond(), ms, [true, true, false, true])))['d']).toEqual({ nullCount: 1, min: -1, max: 3 });
  });

  test('timestamps of every unit give UTC microseconds', () => {
    const raw = BigInt64Array.from([5n, -3n, 1_700_000_000n, 42n]);
    const valid = [true, true, true, false];
    const cases: [DataType, bigint][] = [
      [new TimestampSecond(), 1_000_000n],
      [new TimestampMillisecond('UTC'), 1_000n],
      [new TimestampMicrosecond('Europe/Paris'), 1n],
    ];
    for (const [type, factor] of cases) {
      expect(computeStats(batchOf('t', fixed(type, raw, valid)))['t']).toEqual({ nullCount: 1, min: -3n * factor, max: 1_700_000_000n * factor });
    }
    // Nanoseconds floor to microseconds, also for negative values.
    const ns = BigInt64Array.from([1_999n, -1n, 3_000n]);
    expect(computeStats(batchOf('t', fixed(new TimestampNanosecond('UTC'), ns, [true, true, true])))['t']).toEqual({ nullCount: 0, min: -1n, max: 3n });
  });

  test('decimals and nested types: null count only', () => {
    const dec = fixed(new Decimal(2, 10, 128), new Uint32Array(12), [true, false, true]);
    expect(computeStats(batchOf('d', dec))['d']).toEqual({ nullCount: 1 });
    const list = vectorFromArray([[1, 2], null, [], null], new List(new Field('item', new Int32(), true))).data[0]!;
    expect(computeStats(batchOf('l', list))['l']).toEqual({ nullCount: 2 });
    const struct = vectorFromArray([{ a: 1 }, null, { a: 3 }], new Struct([new Field('a', new Int32(), true)])).data[0]!;
    expect(computeStats(batchOf('s', struct))['s']).toEqual({ nullCount: 1 });
  });

  test('all-null columns have no min/max', () => {
    const stats = computeStats(batchOf('c', fixed(new Int32(), new Int32Array(5), [false, false, false, false, false])))['c'];
    expect(stats).toEqual({ nullCount: 5 });
    expect(computeStats(batchOf('s', vectorFromArray([null, null], new Utf8()).data[0]!))['s']).toEqual({ nullCount: 2 });
  });

  test('sliced batches (offsets not on a byte boundary) only count their rows', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? null : i));
    const strings = values.map((v) => (v === null ? null : `s${String(v).padStart(3, '0')}`));
    const bools = values.map((v) => (v === null ? null : v % 2 === 0));
    const ts = BigInt64Array.from(values, (v) => BigInt(v ?? -999));
    const table = new Table({
      i: vectorFromArray(values, new Int32()),
      s: vectorFromArray(strings, new Utf8()),
      b: vectorFromArray(bools, new Bool()),
      d: vectorFromArray(strings, new Dictionary(new Utf8(), new Int32())),
      t: new Table({ t: makeVector(fixed(new TimestampMillisecond(), ts, values.map((v) => v !== null))) }).getChild('t')!,
    });
    const batch = table.batches[0]!;
    for (const [start, length] of [
      [3, 10],
      [13, 1],
      [37, 50],
      [95, 5],
    ] as const) {
      const slice = batch.slice(start, start + length);
      const part = values.slice(start, start + length);
      const stats = computeStats(slice);
      expect(stats['i']).toEqual(expected(part, numeric));
      expect(stats['s']).toEqual(expected(strings.slice(start, start + length), utf8Order));
      expect(stats['d']).toEqual(expected(strings.slice(start, start + length), utf8Order));
      expect(stats['b']).toEqual(expected(bools.slice(start, start + length), (a, b) => Number(a) - Number(b)));
      const micros = part.map((v) => (v === null ? null : BigInt(v) * 1000n));
      expect(stats['t']).toEqual(expected(micros, numeric));
    }
  });
});

describe('mergeStats', () => {
  test('adds null counts, takes min of mins and max of maxes, keeps one-sided columns', () => {
    const a = { x: { nullCount: 1, min: 3, max: 9 }, s: { nullCount: 0, min: 'b', max: '\uFF61' }, only: { nullCount: 2 } };
    const b = { x: { nullCount: 2, min: -1, max: 4 }, s: { nullCount: 1, min: 'c', max: '😀' }, y: { nullCount: 0, min: 5n, max: 6n } };
    expect(mergeStats(a, b)).toEqual({
      x: { nullCount: 3, min: -1, max: 9 },
      s: { nullCount: 1, min: 'b', max: '😀' },
      only: { nullCount: 2 },
      y: { nullCount: 0, min: 5n, max: 6n },
    });
  });

  test('an all-null side does not erase the other side', () => {
    expect(mergeColumnStats({ nullCount: 4 }, { nullCount: 1, min: false, max: true })).toEqual({ nullCount: 5, min: false, max: true });
    expect(mergeColumnStats({ nullCount: 0, min: 1n, max: 2n }, { nullCount: 3 })).toEqual({ nullCount: 3, min: 1n, max: 2n });
  });

  test('compareStatValues orders strings by UTF-8 bytes', () => {
    const words = ['😀', '\uFF61', 'z', 'é', '', '𝄞', '\uE000'];
    expect([...words].sort(compareStatValues)).toEqual([...words].sort(utf8Order));
  });

  test('merging the stats of parts equals the stats of the whole', () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      const n = 2000;
      const ints = Array.from({ length: n }, () => (r() < 0.1 ? null : Math.floor(r() * 1e6) - 5e5));
      const strs = Array.from({ length: n }, () => (r() < 0.1 ? null : String.fromCodePoint(32 + Math.floor(r() * 70000))));
      const table = new Table({ i: vectorFromArray(ints, new Int32()), s: vectorFromArray(strs, new Utf8()) });
      const whole = computeStats(table.batches[0]!);
      let merged: Record<string, ColumnStats> = {};
      for (let start = 0; start < n; start += 300) merged = mergeStats(merged, computeStats(table.batches[0]!.slice(start, start + 300)));
      expect(merged).toEqual(whole);
    }
  });
});

describe('agreement with the statistics in the written file (DuckDB parquet_metadata)', () => {
  let dir: string;
  let instance: DuckDBInstance;
  let db: DuckDBConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parquet-stats-'));
    instance = await DuckDBInstance.create(':memory:');
    db = await instance.connect();
    await db.run("SET TimeZone = 'UTC'");
  });
  afterAll(() => {
    db.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  test('min, max and null count of every column match', async () => {
    const r = rng(99);
    const n = 5000;
    const maybe = <T>(f: () => T): T | null => (r() < 0.07 ? null : f());
    const ints = Array.from({ length: n }, () => maybe(() => Math.floor(r() * 2e9) - 1e9));
    const bigs = Array.from({ length: n }, () => maybe(() => BigInt(Math.floor(r() * 2 ** 52)) * 1000n - 2n ** 55n));
    const doubles = Array.from({ length: n }, () => maybe(() => (r() - 0.5) * 1e9));
    const strs = Array.from({ length: n }, () => maybe(() => `k${Math.floor(r() * 1e6)}${r() < 0.01 ? '😀' : r() < 0.01 ? '\uFF61' : ''}`));
    const cats = Array.from({ length: n }, () => maybe(() => ['north', 'south', 'east', 'west'][Math.floor(r() * 3)]!));
    const bools = Array.from({ length: n }, () => maybe(() => r() < 0.5));
    const days = Array.from({ length: n }, () => (r() < 0.07 ? null : Math.floor(r() * 40000) - 10000));
    const micros = Array.from({ length: n }, () => (r() < 0.07 ? null : BigInt(Math.floor(r() * 4e15)) - 10n ** 15n));
    const millis = Array.from({ length: n }, () => (r() < 0.07 ? null : BigInt(Math.floor(r() * 4e12)) - 10n ** 12n));
    const dayData = fixed(new DateDay(), Int32Array.from(days, (v) => v ?? 0), days.map((v) => v !== null));
    const tsData = fixed(new TimestampMicrosecond('UTC'), BigInt64Array.from(micros, (v) => v ?? 0n), micros.map((v) => v !== null));
    const msData = fixed(new TimestampMillisecond(), BigInt64Array.from(millis, (v) => v ?? 0n), millis.map((v) => v !== null));
    const table = new Table({
      i: vectorFromArray(ints, new Int32()),
      g: vectorFromArray(bigs, new Int64()),
      f: vectorFromArray(doubles, new Float64()),
      s: vectorFromArray(strs, new Utf8()),
      c: vectorFromArray(cats, new Dictionary(new Utf8(), new Int32())),
      b: vectorFromArray(bools, new Bool()),
      d: makeVector(dayData),
      t: makeVector(tsData),
      m: makeVector(msData),
    });
    expect(table.batches).toHaveLength(1);
    const stats = computeStats(table.batches[0]!);
    const path = join(dir, 'stats.parquet');
    writeFileSync(path, encodeParquet(table));

    const reader = await db.runAndReadAll(`
      SELECT path_in_schema AS col, stats_null_count AS nulls,
        CASE WHEN path_in_schema IN ('t', 'm') THEN epoch_us(stats_min_value::TIMESTAMPTZ)::VARCHAR
             WHEN path_in_schema = 'd' THEN (stats_min_value::DATE - DATE '1970-01-01')::VARCHAR
             ELSE stats_min_value END AS min,
        CASE WHEN path_in_schema IN ('t', 'm') THEN epoch_us(stats_max_value::TIMESTAMPTZ)::VARCHAR
             WHEN path_in_schema = 'd' THEN (stats_max_value::DATE - DATE '1970-01-01')::VARCHAR
             ELSE stats_max_value END AS max
      FROM parquet_metadata('${path}') ORDER BY column_id`);
    const rows = reader.getRowObjectsJS() as { col: string; nulls: bigint; min: string; max: string }[];
    expect(rows.map((row) => row.col)).toEqual(['i', 'g', 'f', 's', 'c', 'b', 'd', 't', 'm']);
    for (const row of rows) {
      const mine = stats[row.col]!;
      expect([row.col, Number(row.nulls)]).toEqual([row.col, mine.nullCount]);
      if (row.col === 'f') {
        expect(Number(row.min)).toBe(mine.min);
        expect(Number(row.max)).toBe(mine.max);
      } else {
        expect([row.col, row.min, row.max]).toEqual([row.col, String(mine.min), String(mine.max)]);
      }
    }
    // The file's stats are over the same data as an independent computation.
    expect(stats['s']).toEqual(expected(strs, utf8Order));
    expect(stats['m']).toEqual(expected(millis.map((v) => (v === null ? null : v * 1000n)), numeric));
  });

  test('string order agrees with the file where UTF-8 and UTF-16 orders differ', async () => {
    const values = ['\uFF61', '😀', 'a', null, '\uE000'];
    const table = new Table({ s: vectorFromArray(values, new Utf8()), d: vectorFromArray(values, new Dictionary(new Utf8(), new Int32())) });
    const stats = computeStats(table.batches[0]!);
    const path = join(dir, 'strings.parquet');
    writeFileSync(path, encodeParquet(table));
    const reader = await db.runAndReadAll(`SELECT path_in_schema AS col, stats_min_value AS min, stats_max_value AS max, stats_null_count AS nulls FROM parquet_metadata('${path}') ORDER BY column_id`);
    const rows = reader.getRowObjectsJS() as { col: string; min: string; max: string; nulls: bigint }[];
    expect(rows.map((row) => ({ col: row.col, min: row.min, max: row.max, nulls: Number(row.nulls) }))).toEqual([
      { col: 's', min: 'a', max: '😀', nulls: 1 },
      { col: 'd', min: 'a', max: '😀', nulls: 1 },
    ]);
    expect(stats).toEqual({ s: { nullCount: 1, min: 'a', max: '😀' }, d: { nullCount: 1, min: 'a', max: '😀' } });
  });
});
