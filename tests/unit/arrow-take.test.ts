/** takeRows over every buffer layout, on whole and on sliced batches (slices re-base some buffers and not others); selectRows. */
import * as arrow from 'apache-arrow';
import { selectRows, takeRows } from '../../etl/arrow/take.js';

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

test('fixed-width rows of every width are copied bit for bit: bytes, 16-bit, floats with NaN payloads, 64-bit, decimals', () => {
  const n = 5;
  const nan = new Float64Array(new BigUint64Array([0x7ff8_0000_dead_beefn]).buffer)[0]!;
  const columns: [arrow.DataType, ArrayBufferView][] = [
    [new arrow.Int8(), Int8Array.from([-1, 2, -3, 4, -5])],
    [new arrow.Uint16(), Uint16Array.from([1, 65_535, 3, 4, 5])],
    [new arrow.Float64(), Float64Array.from([1.5, nan, -0, Infinity, 5])],
    [new arrow.Uint64(), BigUint64Array.from([1n, 2n ** 64n - 1n, 3n, 2n ** 63n, 5n])],
    [new arrow.Decimal(2, 30, 128), Uint32Array.from({ length: n * 4 }, (_, i) => i * 1_000_003)],
  ];
  const fields = columns.map(([type], i) => new arrow.Field(`c${i}`, type, false));
  const children = columns.map(([type, data]) => arrow.makeData({ type, length: n, data } as never) as arrow.Data);
  const source = new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: n, children, nullCount: 0 }));
  const take = [4, 1, 1, 0];
  for (const view of [source, source.slice(1, 5)]) {
    const indices = take.filter((i) => i < view.numRows);
    const got = takeRows(view, Uint32Array.from(indices));
    got.data.children.forEach((data, c) => {
      const from = view.data.children[c]!;
      const bytes = (d: arrow.Data, row: number) => {
        const v = d.values as Uint8Array;
        const width = (v.BYTES_PER_ELEMENT * d.stride);
        return Array.from(new Uint8Array(v.buffer, v.byteOffset + row * width, width));
      };
      indices.forEach((row, i) => expect(bytes(data, i)).toEqual(bytes(from, row)));
    });
  }
});

test('selectRows: one run of consecutive rows is a zero-copy slice, the whole batch itself, anything else a copy', () => {
  const b = batch();
  const full = rows(b);
  const run = selectRows(b, Uint32Array.from([2, 3, 4]));
  expect(rows(run)).toEqual(full.slice(2, 5));
  expect(run.data.children[0]!.values.buffer).toBe(b.data.children[0]!.values.buffer);
  expect(selectRows(b, Uint32Array.from([0, 1, 2, 3, 4, 5]))).toBe(b);
  const gaps = selectRows(b, Uint32Array.from([0, 2, 3]));
  expect(rows(gaps)).toEqual([full[0], full[2], full[3]]);
  expect(gaps.data.children[0]!.values.buffer).not.toBe(b.data.children[0]!.values.buffer);
  expect(selectRows(b, new Uint32Array(0)).numRows).toBe(0);
});
