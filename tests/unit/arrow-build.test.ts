/**
 * `buildRecordBatch` with a row selection (rows rejected in a batch) gives exactly the selected rows of
 * the whole batch, for every column kind: 64-bit and decimal values are copied as machine words, so
 * values beyond 2^53, negative ones and nulls must come through unchanged.
 */
import { buildRecordBatch } from '../../validation/arrow-build.js';
import { bool, date, decimal, float64, int32, int64, string, timestamp } from '../../validation/column.js';
import { openCsv, bytesSource } from '../../validation/csv/index.js';
import { decodeBatch } from '../../validation/decoded-batch.js';
import { defineDataset } from '../../validation/define-dataset.js';

const contract = defineDataset({
  name: 'kinds',
  columns: {
    i32: int32(),
    i64: int64(),
    f64: float64(),
    ok: bool(),
    d: date(),
    ts: timestamp(),
    amount: decimal(20, 2),
    label: string(),
    tier: string().lowCardinality(),
  },
});

const CSV = [
  'i32,i64,f64,ok,d,ts,amount,label,tier',
  '1,9007199254740993,1.5,true,2025-01-01,2025-01-01T00:00:00,123456789012345678.91,a,x',
  '-2,-9223372036854775808,,false,,2025-02-03T04:05:06.789,-0.01,,y',
  ',9223372036854775807,-0.25,,2025-12-31,,,"q""uote",',
  '2147483647,0,NaN,true,1970-01-01,1969-12-31T23:59:59.999999,99999999999999999.99,ü,x',
].join('\n');

async function decoded() {
  const reader = await openCsv(bytesSource(new TextEncoder().encode(CSV)));
  const fields = contract.columns.map((c) => reader.header!.indexOf(c.name));
  for await (const csv of reader) return decodeBatch(csv, contract.columns.map((c) => c.spec), fields);
  throw new Error('no batch');
}

function rowsOf(batch: ReturnType<typeof buildRecordBatch>): unknown[] {
  return batch.toArray().map((r) => JSON.stringify(r.toJSON(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

test.each([
  [[0, 2]],
  [[1, 3]],
  [[3]],
  [[0, 1, 2, 3]],
])('rows %j of a batch are those rows of the whole batch, every kind', async (take) => {
  const batch = await decoded();
  const whole = rowsOf(buildRecordBatch(contract.arrowSchema, batch, undefined));
  expect(whole).toHaveLength(4);
  for (const copy of [false, true]) {
    const some = buildRecordBatch(contract.arrowSchema, batch, Uint32Array.from(take), copy);
    expect(rowsOf(some)).toEqual(take.map((r) => whole[r]));
    expect(some.getChild('i64')!.toArray()).toEqual(BigInt64Array.from(take.map((r) => [9007199254740993n, -9223372036854775808n, 9223372036854775807n, 0n][r]!)));
  }
});
