/** Per-file encoding choice: integer columns get DELTA_BINARY_PACKED unless a dictionary clearly pays; mostly-distinct strings go plain. */
import * as arrow from 'apache-arrow';
import { chooseEncodings, ENCODING_SAMPLE_ROWS } from '../../etl/parquet/encoding-choice.js';
import { prng } from '../support/fixtures.js';

const n = 10_000;
const rand = prng(7);
const pick = <T>(choices: readonly T[]): T => choices[Math.floor(rand() * choices.length)]!;

function int32(values: ArrayLike<number>, valid?: Uint8Array): arrow.Data {
  return arrow.makeData({ type: new arrow.Int32(), length: values.length, data: Int32Array.from(values), ...(valid ? { nullBitmap: valid, nullCount: -1 } : {}) });
}

function utf8(values: string[]): arrow.Data {
  return arrow.vectorFromArray(values, new arrow.Utf8()).data[0]!;
}

function batchOf(columns: Record<string, arrow.Data>): arrow.RecordBatch {
  const fields = Object.entries(columns).map(([name, data]) => new arrow.Field(name, data.type, true));
  const schema = new arrow.Schema(fields);
  const length = Object.values(columns)[0]!.length;
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length, children: Object.values(columns), nullCount: 0 }));
}

const columns = {
  // Sorted ids: tiny deltas.
  id: int32(Array.from({ length: n }, (_, i) => 1_000 + i)),
  // Ids in random order over a wide range: every value distinct.
  shuffled: int32(Array.from({ length: n }, () => Math.floor(rand() * 2 ** 30))),
  // 0/1 flags: a dictionary saves at most a bit per value.
  flag: int32(Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0))),
  // Three status codes far apart: 2-bit indices against ~10-bit deltas.
  status: int32(Array.from({ length: n }, () => pick([200, 404, 500]))),
  // Twenty sparse category ids over a million, half of the rows null.
  category: int32(
    Array.from({ length: n }, () => pick(Array.from({ length: 20 }, (_, k) => k * 50_000))),
    Uint8Array.from({ length: n >> 3 }, () => 0b01010101),
  ),
  // Event times repeating a few times each, ascending.
  ts: arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: n, data: BigInt64Array.from({ length: n }, (_, i) => 1_700_000_000_000_000n + BigInt(Math.floor(i / 5)) * 3_000_000n) as never }),
  // Low-cardinality labels keep their dictionary; unique-ish strings do not.
  label: utf8(Array.from({ length: n }, () => pick(['red', 'green', 'blue']))),
  note: utf8(Array.from({ length: n }, (_, i) => `note ${i} ${rand()}`)),
  price: arrow.makeData({ type: new arrow.Float64(), length: n, data: Float64Array.from({ length: n }, () => pick([1.5, 2.5])) }),
};

test('delta for ints that are ordered, unique or narrow; a dictionary only for few repeated values far apart; plain for mostly distinct strings', () => {
  const batch = batchOf(columns);
  const choice = chooseEncodings(batch.schema, [batch]);
  expect(choice.deltaColumns.sort()).toEqual(['flag', 'id', 'shuffled', 'ts']);
  expect(choice.plainColumns).toEqual(['note']);
  // status, category (ints with a dictionary), label (string with a dictionary) and price (float: the default) are in neither list.
});

test('the sample spans batches and sliced batches alike; with no rows at all, strings keep their dictionary and ints are delta-encoded', () => {
  const batch = batchOf(columns);
  const parts = [batch.slice(0, 100), batch.slice(100, 2_000), batch.slice(2_000, n)];
  expect(chooseEncodings(batch.schema, parts)).toEqual(chooseEncodings(batch.schema, [batch]));
  const empty = chooseEncodings(batch.schema, []);
  expect(empty.deltaColumns.sort()).toEqual(['category', 'flag', 'id', 'shuffled', 'status', 'ts']);
  expect(empty.plainColumns).toEqual([]);
});

test('only the first sample of rows is looked at', () => {
  // Status codes first, then a long run of distinct ids: the sample sees only the codes.
  const head = Array.from({ length: ENCODING_SAMPLE_ROWS }, () => pick([200, 404, 500]));
  const tail = Array.from({ length: n }, (_, i) => i * 7_919);
  const batch = batchOf({ code: int32([...head, ...tail]) });
  expect(chooseEncodings(batch.schema, [batch]).deltaColumns).toEqual([]);
});

test('columns the caller names are kept as asked: plain wins over delta, delta over the sample', () => {
  const batch = batchOf(columns);
  const choice = chooseEncodings(batch.schema, [batch], { plainColumns: ['id', 'label'], deltaColumns: ['id', 'status'] });
  expect(choice.plainColumns.sort()).toEqual(['id', 'label', 'note']);
  expect(choice.deltaColumns.sort()).toEqual(['flag', 'shuffled', 'status', 'ts']);
});
