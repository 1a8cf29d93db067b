/** takeRows over every buffer layout, on whole and on sliced batches (slices re-base some buffers and not others). */
import * as arrow from 'apache-arrow';
import { takeRows } from '../../etl/arrow/take.js';

function batch(): arrow.RecordBatch {
  const n = 6;
  const schema = new arrow.Schema([
    new arrow.Field('i', new arrow.Int32(), true),
    new arrow.Field('l', new arrow.Int64(), true),
    new arrow.Field('s', new arrow.Utf8(), true),
    new arrow.Field('b', new arrow.Bool(), true),
    new arrow.Field('d', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), true),
  ]);
  const valid = Uint8Array.from([0b111011]); // row 2 is null
  const children = [
    arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from([10, 11, 12, 13, 14, 15]), nullBitmap: valid, nullCount: 1 }),
    arrow.makeData({ type: new arrow.Int64(), length: n, data: BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n]) as never }),
    arrow.makeData({ type: new arrow.Utf8(), length: n, valueOffsets: Int32Array.from([0, 1, 3, 6, 10, 15, 21]), data: new TextEncoder().encode('abbcccddddeeeeeffffff') }),
    arrow.makeData({ type: new arrow.Bool(), length: n, data: Uint8Array.from([0b101101]) }),
    arrow.makeData({
      type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
      length: n,
      data: Int32Array.from([1, 0, 1, 1, 0, 1]),
      dictionary: new arrow.Vector([arrow.makeData({ type: new arrow.Utf8(), length: 2, valueOffsets: Int32Array.from([0, 1, 2]), data: new TextEncoder().encode('xy') })]),
    }),
  ];
  return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children, nullCount: 0 }));
}

const rows = (b: arrow.RecordBatch) => b.toArray().map((r) => JSON.parse(JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? Number(v) : v))));

test.each([
  ['whole batch', (b: arrow.RecordBatch) => b, [5, 0, 2], [5, 0, 2]],
  ['sliced batch', (b: arrow.RecordBatch) => b.slice(2, 6), [0, 1, 3], [2, 3, 5]],
])('%s: the taken rows equal the source rows, nulls included', (_name, view, take, source) => {
  const full = rows(batch());
  const got = rows(takeRows(view(batch()), Uint32Array.from(take)));
  expect(got).toEqual(source.map((i) => full[i]));
  expect(got.some((r) => r.i === null)).toBe(source.includes(2));
});
