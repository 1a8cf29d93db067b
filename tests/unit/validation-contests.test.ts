/**
 * Dedupe across batches: accepted rows are not held, so a row whose key (or row hash) was kept in an
 * earlier batch is settled at the end of the dataset. One row per batch must give exactly what one batch
 * gives: accepted rows, quarantine records (rule, line, message, text), counts and warnings.
 */
import { orderItems, orders } from '../../validation/contracts/ecommerce.js';
import { defineDataset, int32, string, withPolicies, type DatasetContract, type Policies } from '../../validation/index.js';
import { stopIdleDecodeWorker } from '../../validation/decode-worker-pool.js';
import { validate } from '../support/validation-harness.js';

const ITEMS = 'id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date';
const csv = (header: string, ...rows: string[]): string => [header, ...rows].join('\n') + '\n';
const item = (id: number, ts = '2025-04-01T10:00:00', cart = 1): string => `${id},1,7,3,2,${cart},0,${ts},2025-04-01`;
const KEYS = { orders: [1, 2, 3], products: [1, 2, 3] };

function oneRowBatches(contract: DatasetContract): DatasetContract {
  return defineDataset({ ...contract.definition, csv: { ...contract.definition.csv, batchRows: 1 } });
}

const NOKEY = defineDataset({ name: 'events', columns: { a: int32(), b: string() } });
const COMPOSITE = defineDataset({ name: 'pairs', columns: { a: int32().required(), b: string().required(), v: int32() }, primaryKey: ['a', 'b'] });

const T = (h: number) => `2025-04-01T${String(h).padStart(2, '0')}:00:00`;
const chain = [item(1, T(10)), item(2, T(10)), item(1, T(12)), item(1, T(11)), item(1, T(12)), item(1, T(12), 2), item(2, T(10)), item(3, T(9)), item(1, T(13))];

const cases: { name: string; contract: DatasetContract; files: string[]; policies?: Policies }[] = [
  { name: 'chains of one key: newer, older, identical, tie', contract: orderItems, files: [csv(ITEMS, ...chain)] },
  { name: 'chains across files', contract: orderItems, files: [csv(ITEMS, ...chain.slice(0, 4)), csv(ITEMS, ...chain.slice(4))] },
  { name: 'duplicate_key warn', contract: orderItems, files: [csv(ITEMS, ...chain)], policies: { duplicate_key: 'warn' } },
  { name: 'duplicate_row warn', contract: orderItems, files: [csv(ITEMS, ...chain)], policies: { duplicate_row: 'warn' } },
  { name: 'superseded rows with other warnings', contract: orderItems, files: [csv(ITEMS, item(1, T(10), 0), item(1, T(11)), item(2, T(10), 0), item(2, T(9), 0))], policies: { range: 'warn' } },
  { name: 'no primary key: exact duplicates', contract: NOKEY, files: [csv('a,b', '1,x', '2,y', '1,x', '1,z', '2,y', '1,x', ',x', ',x')] },
  { name: 'composite key', contract: COMPOSITE, files: [csv('a,b,v', '1,x,1', '1,y,1', '1,x,2', '1,x,2', '1,y,3')] },
  { name: 'orders: later timestamp wins', contract: orders, files: [csv('order_num,order_id,user_id,order_timestamp,total_amount,date', `1,10,7,${T(10)},5,2025-04-01`, `1,10,7,${T(9)},6,2025-04-01`, `1,10,7,${T(11)},7,2025-04-01`)] },
];

describe('dedupe across batches', () => {
  test.each(cases)('$name', async (c) => {
    const contract = c.policies ? withPolicies(c.contract, c.policies) : c.contract;
    const whole = await validate(contract, c.files, { committed: KEYS });
    const split = await validate(oneRowBatches(contract), c.files, { committed: KEYS });
    expect(split.accepted).toEqual(whole.accepted);
    expect(split.records).toEqual(whole.records);
    expect(split.result.summary).toEqual(whole.result.summary);
    expect(split.result.warnings).toEqual(expect.arrayContaining([...whole.result.warnings]));
    expect(whole.result.summary.rejected + whole.result.summary.accepted).toBe(whole.result.summary.read);
  });

  test.each(cases)('single pass: $name', async (c) => {
    const contract = c.policies ? withPolicies(c.contract, c.policies) : c.contract;
    const whole = await validate(contract, c.files, { committed: KEYS });
    // One batch a file: within a batch nothing is overturned later, so one file is streamed whole (two files repeat keys).
    const streamed = await validate(contract, c.files, { committed: KEYS, stream: true });
    expect(streamed.result.streamed).toBe(c.files.length === 1);
    expect(streamed.accepted).toEqual(whole.accepted);
    // One row a batch: a key (or row) seen in an earlier batch abandons the stream; the rows read again are the same.
    const split = await validate(oneRowBatches(contract), c.files, { committed: KEYS, stream: true });
    expect(split.abandoned).toBe(1);
    expect(split.result.streamed).toBe(false);
    expect(split.accepted).toEqual(whole.accepted);
    expect(split.records).toEqual(whole.records);
    expect(split.result.summary).toEqual(whole.result.summary);
  });

  test('single pass over one-row batches without repeats streams every row', async () => {
    const rows = [item(1, T(10)), item(2, T(11)), 'oops', item(3, T(12)), item(4, T(9), 0)];
    const whole = await validate(orderItems, [csv(ITEMS, ...rows)], { committed: KEYS });
    const split = await validate(oneRowBatches(orderItems), [csv(ITEMS, ...rows.slice(0, 2)), csv(ITEMS, ...rows.slice(2))], { committed: KEYS, stream: true });
    expect(split.result.streamed).toBe(true);
    expect(split.abandoned).toBe(0);
    expect(split.accepted).toEqual(whole.accepted);
    expect(split.accepted).toHaveLength(3);
    expect(split.rejected.map(([rule]) => rule)).toEqual(['malformed_row', 'range']);
    // The same on the decode worker thread, whose batches live in a reused buffer: the streamed rows keep their values.
    process.env.LAKEHOUSE_CSV_WORKER = '1';
    try {
      const threaded = await validate(oneRowBatches(orderItems), [csv(ITEMS, ...rows.slice(0, 2)), csv(ITEMS, ...rows.slice(2))], { committed: KEYS, stream: true });
      expect(threaded.result.streamed).toBe(true);
      expect(threaded.accepted).toEqual(whole.accepted);
    } finally {
      delete process.env.LAKEHOUSE_CSV_WORKER;
      await stopIdleDecodeWorker();
    }
  });

  test('a fail policy trips when the contest is settled', async () => {
    const contract = oneRowBatches(withPolicies(orderItems, { duplicate_key: 'fail' }));
    await expect(validate(contract, [csv(ITEMS, item(1, T(10)), item(1, T(11)))], { committed: KEYS })).rejects.toThrow(/duplicate_key .* line 3/);
  });
});
