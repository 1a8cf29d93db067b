/** Grouping rows by partition key: groups in order of first appearance, rows ascending, equal keys merged, runs sliced. */
import * as arrow from 'apache-arrow';
import { groupRows, splitRows } from '../../etl/table/split-rows.js';

function batchOf(day: (number | null)[], hour: number[]): arrow.RecordBatch {
  const fields = [new arrow.Field('day', new arrow.Int32(), true), new arrow.Field('hour', new arrow.Int32(), false)];
  const valid = new Uint8Array((day.length + 7) >> 3);
  day.forEach((d, i) => {
    if (d !== null) valid[i >> 3]! |= 1 << (i & 7);
  });
  const children = [
    arrow.makeData({ type: new arrow.Int32(), length: day.length, data: Int32Array.from(day, (d) => d ?? 0), nullBitmap: valid, nullCount: day.filter((d) => d === null).length }),
    arrow.makeData({ type: new arrow.Int32(), length: hour.length, data: Int32Array.from(hour) }),
  ];
  return new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: day.length, children, nullCount: 0 }));
}

test('rows group by key in order of first appearance, ascending, with describe called once per distinct raw value', () => {
  const batch = batchOf([3, 1, 3, null, 1, 1, 3, null], [0, 1, 2, 3, 4, 5, 6, 7]);
  const calls: number[] = [];
  const groups = groupRows(batch, ['day'], (i) => {
    calls.push(i);
    const day = batch.getChild('day')!.get(i) as number | null;
    return { id: String(day), value: day };
  });
  expect(groups.map((g) => [g.value, Array.from(g.rows!)])).toEqual([
    [3, [0, 2, 6]],
    [1, [1, 4, 5]],
    [null, [3, 7]],
  ]);
  expect(calls).toEqual([0, 1, 3]);
});

test('raw values describing the same id share a group; one key or none gives the whole batch', () => {
  const batch = batchOf([1, 2, 3, 4, 5, 6], [10, 11, 10, 12, 11, 10]);
  // Days folded to odd/even: two groups from six raw values.
  const parity = groupRows(batch, ['day'], (i) => ({ id: String((batch.getChild('day')!.get(i) as number) % 2), value: (batch.getChild('day')!.get(i) as number) % 2 }));
  expect(parity.map((g) => [g.value, Array.from(g.rows!)])).toEqual([
    [1, [0, 2, 4]],
    [0, [1, 3, 5]],
  ]);
  // A slice groups its own rows (numbered from 0).
  const sliced = batch.slice(3, 6);
  const slicedParity = groupRows(sliced, ['day'], (i) => ({ id: String((sliced.getChild('day')!.get(i) as number) % 2), value: (sliced.getChild('day')!.get(i) as number) % 2 }));
  expect(slicedParity.map((g) => [g.value, Array.from(g.rows!)])).toEqual([
    [0, [0, 2]],
    [1, [1]],
  ]);
  // Two key columns: combinations of both.
  const both = groupRows(batch, ['day', 'hour'], (i) => {
    const key = `${(batch.getChild('day')!.get(i) as number) % 2}/${batch.getChild('hour')!.get(i) as number}`;
    return { id: key, value: key };
  });
  expect(both.map((g) => [g.value, Array.from(g.rows!)])).toEqual([
    ['1/10', [0, 2]],
    ['0/11', [1]],
    ['0/12', [3]],
    ['1/11', [4]],
    ['0/10', [5]],
  ]);
  expect(groupRows(batch, ['day'], () => ({ id: 'all', value: 'all' }))).toEqual([{ value: 'all', rows: undefined }]);
  expect(groupRows(batch, [], () => ({ id: 'x', value: 'x' }))).toEqual([{ value: 'x', rows: undefined }]);
  expect(groupRows(batch.slice(0, 0), ['day'], () => ({ id: 'x', value: 'x' }))).toEqual([]);
});

test('splitRows: consecutive rows come back as slices of the batch, scattered rows as copies, values intact', () => {
  const batch = batchOf([1, 1, 1, 2, 3, 2], [0, 1, 2, 3, 4, 5]);
  const parts = splitRows(batch, ['day'], (i) => {
    const day = batch.getChild('day')!.get(i) as number;
    return { id: String(day), value: day };
  });
  expect(parts.map(([day, part]) => [day, part.getChild('hour')!.toArray().join(',')])).toEqual([
    [1, '0,1,2'],
    [2, '3,5'],
    [3, '4'],
  ]);
  const hours = batch.getChild('hour')!.data[0]!.values.buffer;
  expect(parts[0]![1].getChild('hour')!.data[0]!.values.buffer).toBe(hours);
  expect(parts[1]![1].getChild('hour')!.data[0]!.values.buffer).not.toBe(hours);
  expect(parts[2]![1].getChild('hour')!.data[0]!.values.buffer).toBe(hours);
});
