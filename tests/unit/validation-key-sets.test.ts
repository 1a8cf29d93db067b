/**
 * Key sets and key indexes against a JS Set/Map reference: sequential, strided, random and negative
 * keys, int32 extremes, growth, and the dense <-> hash choice; memory per key at one million keys (the
 * 10-million-key figure is measured by bench/key-lookup-memory.ts).
 */
import * as arrow from 'apache-arrow';
import {
  anyOf,
  DenseInt32KeySet,
  Int32KeyIndex,
  Int32KeySet,
  int32KeySetOf,
  Int64KeySet,
  keySetFor,
  loadKeys,
  MapKeyIndex,
  StringKeySet,
} from '../../validation/index.js';
import { prng } from '../support/fixtures.js';

const MIN = -2147483648;
const MAX = 2147483647;

function patterns(n: number, seed: number): Record<string, number[]> {
  const rand = prng(seed);
  return {
    sequential: Array.from({ length: n }, (_, i) => i + 1),
    descending: Array.from({ length: n }, (_, i) => 1_000_000 - i),
    strided: Array.from({ length: n }, (_, i) => i * 1024),
    random: Array.from({ length: n }, () => Math.floor(rand() * 2 ** 32) - 2 ** 31),
    extremes: [MIN, MAX, 0, -1, 1, MIN + 1, MAX - 1, ...Array.from({ length: n }, (_, i) => (i % 2 ? MIN + i : MAX - i))],
    dense_then_sparse: [...Array.from({ length: n / 2 }, (_, i) => i), ...Array.from({ length: n / 2 }, () => Math.floor(rand() * 2 ** 31))],
    with_repeats: Array.from({ length: n }, () => Math.floor(rand() * (n / 4))),
  };
}

describe.each(Object.entries(patterns(20_000, 7)))('int32 keys, %s', (_, keys) => {
  const reference = new Set(keys);
  const probes = [...keys.slice(0, 2000).map((k) => (k === MAX ? k - 1 : k + 1)), ...keys.slice(0, 2000), MIN, MAX, 0, 3.5, NaN];

  test('Int32KeySet', () => {
    const set = new Int32KeySet();
    const seen = new Set<number>();
    const added = keys.map((k) => set.add(k));
    expect(added).toEqual(keys.map((k) => !seen.has(k) && Boolean(seen.add(k))));
    expect(set.size).toBe(reference.size);
    expect(probes.map((p) => set.has(p))).toEqual(probes.map((p) => reference.has(p)));
  });

  test('int32KeySetOf picks a form and knows the same keys', () => {
    const set = int32KeySetOf(Int32Array.from(keys));
    expect(set.size).toBe(reference.size);
    expect(probes.map((p) => set.has(p))).toEqual(probes.map((p) => reference.has(p)));
    const span = Math.max(...keys) - Math.min(...keys);
    expect(set instanceof DenseInt32KeySet).toBe(span < 32 * keys.length);
    expect(set.byteSize).toBeLessThanOrEqual(Math.max(16 * 4, 8 * keys.length + 64));
  });

  test('Int32KeyIndex agrees with a Map under putIfAbsent / set / get', () => {
    const index = new Int32KeyIndex();
    const ref = new Map<number, number>();
    const got: number[] = [];
    const want: number[] = [];
    keys.forEach((k, row) => {
      const had = ref.get(k) ?? -1;
      got.push(index.putIfAbsent(k, row));
      want.push(had);
      if (had < 0) ref.set(k, row);
      else if (row % 3 === 0) {
        index.set(k, row);
        ref.set(k, row);
      }
    });
    expect(got).toEqual(want);
    expect(index.size).toBe(ref.size);
    expect(probes.map((p) => index.get(p))).toEqual(probes.map((p) => ref.get(p) ?? -1));
  });
});

test('the dense index turns into a hash table when keys spread out, and stays small while dense', () => {
  const index = new Int32KeyIndex();
  for (let k = 0; k < 100_000; k++) index.putIfAbsent(k, k);
  expect(index.byteSize).toBeLessThan(8 * 100_000); // dense: 4 bytes a slot plus headroom
  index.putIfAbsent(1_500_000_000, 7);
  expect(index.get(1_500_000_000)).toBe(7);
  for (let k = 0; k < 100_000; k += 997) expect(index.get(k)).toBe(k);
  expect(index.size).toBe(100_001);
});

test('one million int32 keys: hash set about 8 bytes a key, bitset 1 bit per id, index 4-16 bytes a key', () => {
  const n = 1_000_000;
  const rand = prng(3);
  const random = Int32Array.from({ length: n }, () => Math.floor(rand() * 2 ** 32) - 2 ** 31);
  const set = int32KeySetOf(random);
  expect(set).toBeInstanceOf(Int32KeySet);
  expect(set.byteSize).toBe(2 ** 21 * 4); // 2^21 slots keep the load under 3/4
  let missing = 0;
  for (let i = 0; i < n; i++) if (!set.has(random[i]!)) missing++;
  expect(missing).toBe(0);

  const ids = Int32Array.from({ length: n }, (_, i) => i + 1);
  const dense = int32KeySetOf(ids);
  expect(dense).toBeInstanceOf(DenseInt32KeySet);
  expect(dense.byteSize).toBe(n / 8);
  expect([0, 1, n, n + 1].map((k) => dense.has(k))).toEqual([false, true, true, false]);

  const index = new Int32KeyIndex();
  for (let i = 0; i < n; i++) index.putIfAbsent(ids[i]!, i);
  expect(index.byteSize).toBeLessThanOrEqual(n * 4 + (1 << 22));
  const sparse = new Int32KeyIndex();
  for (let i = 0; i < n; i++) sparse.putIfAbsent(random[i]!, i);
  expect(sparse.byteSize).toBe(2 ** 21 * 8);
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    const row = sparse.get(random[i]!);
    if (row < 0 || row > i || random[row] !== random[i]) wrong++;
  }
  expect(wrong).toBe(0);
});

test('Int64KeySet: safe integers in the table, larger ones exact as bigints; 5 and 5n are one key', () => {
  const set = new Int64KeySet();
  const big = 2n ** 62n + 1n;
  for (const k of [5, 5n, -(2 ** 53) + 1, big, -big, 0]) set.add(k as number | bigint);
  expect(set.size).toBe(5);
  expect([5, 5n, big, big - 1n, -big, 0, -0, 6, 2.5, '5'].map((k) => set.has(k as never))).toEqual([true, true, true, false, true, true, true, false, false, false]);
  const many = new Int64KeySet();
  for (let i = 0; i < 50_000; i++) many.add(i * 2 ** 33);
  let absent = 0;
  for (let i = 0; i < 50_000; i++) if (!many.has(i * 2 ** 33)) absent++;
  expect(absent).toBe(0);
  expect(many.has(2 ** 33 + 1)).toBe(false);
});

test('StringKeySet, MapKeyIndex, keySetFor and anyOf', () => {
  const s = new StringKeySet();
  s.add('a');
  s.add('a');
  s.add('b');
  expect([s.size, s.has('a'), s.has('c')]).toEqual([2, true, false]);
  const m = new MapKeyIndex();
  m.set(5n, 1);
  expect([m.get(5), m.get('5'), m.has(5n)]).toEqual([1, -1, true]);
  expect(keySetFor('int32')).toBeInstanceOf(Int32KeySet);
  expect(keySetFor('date')).toBeInstanceOf(Int32KeySet);
  expect(keySetFor('timestamp')).toBeInstanceOf(Int64KeySet);
  expect(keySetFor('string')).toBeInstanceOf(StringKeySet);
  const a = int32KeySetOf(Int32Array.of(1, 2));
  const both = anyOf(a, undefined, s);
  expect([both.has(1), both.has('a'), both.has(3), both.size]).toEqual([true, true, false, 4]);
  expect(anyOf(a)).toBe(a);
});

describe('loadKeys over any stream of one-column batches (a Delta or Iceberg scan)', () => {
  const batchOf = (type: arrow.DataType, values: unknown[]) => {
    const vector = arrow.vectorFromArray(values, type);
    const schema = new arrow.Schema([new arrow.Field('k', type, true)]);
    return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: vector.length, children: [vector.data[0]!], nullCount: 0 }));
  };
  async function* stream(...batches: arrow.RecordBatch[]) {
    yield* batches;
  }

  test('int32 with nulls and sliced batches; dense and sparse forms', async () => {
    const a = batchOf(new arrow.Int32(), [1, null, 2, 3, 4]);
    const dense = await loadKeys(stream(a.slice(1, 4), batchOf(new arrow.Int32(), [7, 7, null])), new arrow.Int32(), 2);
    expect(dense).toBeInstanceOf(DenseInt32KeySet);
    expect([1, 2, 3, 4, 7, 0].map((k) => dense.has(k))).toEqual([false, true, true, false, true, false]);
    expect(dense.size).toBe(3);
    const sparse = await loadKeys(stream(batchOf(new arrow.Int32(), [5, 2_000_000_000, null, -9])), new arrow.Int32());
    expect(sparse).toBeInstanceOf(Int32KeySet);
    expect([5, 2_000_000_000, -9, 0].map((k) => sparse.has(k))).toEqual([true, true, true, false]);
  });

  test('int64, timestamps and strings', async () => {
    const big = await loadKeys(stream(batchOf(new arrow.Int64(), [9n, 1n, 2n ** 60n, null]).slice(1)), new arrow.Int64());
    expect([1, 1n, 2n ** 60n, 2, 9].map((k) => big.has(k as never))).toEqual([true, true, true, false, false]);
    const text = await loadKeys(stream(batchOf(new arrow.Utf8(), ['a', null, 'b'])), new arrow.Utf8());
    expect([text.has('a'), text.has('b'), text.has('null'), text.size]).toEqual([true, true, false, 2]);
  });
});
