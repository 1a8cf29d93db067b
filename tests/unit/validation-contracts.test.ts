/**
 * Contracts: the Arrow schema a declaration yields, declaration errors, compiled checks agreeing with
 * zod value by value (bounds, sets, multiples, lengths, dates, fallbacks), every column type through
 * the whole validator, exact-duplicate detection without a primary key, reconciliation and the
 * quarantine schema.
 */
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import { bytesSource, openCsv } from '../../validation/csv/index.js';
import { ecommerce, orderItems, orders, products } from '../../validation/contracts/ecommerce.js';
import { decodeBatch } from '../../validation/decoded-batch.js';
import {
  assertReconciled,
  bool,
  ContractError,
  date,
  decimal,
  defineDataset,
  float64,
  int32,
  int64,
  loadOrder,
  quarantineBatches,
  ReconciliationError,
  REJECTED_RECORDS_SCHEMA,
  string,
  timestamp,
  type Column,
  type DatasetContract,
} from '../../validation/index.js';
import { prng } from '../support/fixtures.js';
import { validate } from '../support/validation-harness.js';

const fieldText = (f: arrow.Field) => `${f.name}:${String(f.type)}${f.nullable ? '?' : ''}`;

describe('the e-commerce contracts', () => {
  test('yield the Arrow schemas the tables are written with', () => {
    expect(products.arrowSchema.fields.map(fieldText)).toEqual([
      'product_id:Int32',
      'department_id:Int32?',
      'department:Dictionary<Int32, Utf8>?',
      'product_name:Utf8',
    ]);
    expect(orders.arrowSchema.fields.map(fieldText)).toEqual([
      'order_num:Int32?',
      'order_id:Int32',
      'user_id:Int32?',
      'order_timestamp:Timestamp<MICROSECOND, UTC>',
      'total_amount:Float64?',
      'date:Date32<DAY>',
    ]);
    expect(orderItems.arrowSchema.fields.map(fieldText)).toEqual([
      'id:Int32',
      'order_id:Int32',
      'user_id:Int32?',
      'days_since_prior_order:Int32?',
      'product_id:Int32',
      'add_to_cart_order:Int32?',
      'reordered:Int32?',
      'order_timestamp:Timestamp<MICROSECOND, UTC>',
      'date:Date32<DAY>',
    ]);
    expect(orders.arrowSchema.metadata.get('lakehouse.primary_key')).toBe('order_id');
    expect([orders.partitionBy, orderItems.partitionBy, products.partitionBy]).toEqual([['date'], ['date'], []]);
    expect(orderItems.foreignKeys.map((fk) => `${fk.column}->${fk.references.name}.${fk.referencedColumn}`)).toEqual([
      'order_id->orders.order_id',
      'product_id->products.product_id',
    ]);
  });

  test('load order follows the foreign keys', () => {
    expect(loadOrder([orderItems, products, orders]).map((c) => c.name)).toEqual(['orders', 'products', 'order_items']);
    expect(loadOrder([...ecommerce]).map((c) => c.name)).toEqual(['products', 'orders', 'order_items']);
  });

  test('the zod row schema carries types, checks and row rules', () => {
    const row = { id: 1, order_id: 2, user_id: null, days_since_prior_order: null, product_id: 3, add_to_cart_order: 1, reordered: 0, order_timestamp: new Date('2025-04-01T10:00:00Z'), date: new Date('2025-04-01T00:00:00Z') };
    expect(orderItems.rowSchema.safeParse(row).success).toBe(true);
    const badValue = orderItems.rowSchema.safeParse({ ...row, reordered: 2 });
    expect(badValue.error!.issues.map((i) => i.message)).toEqual(['Invalid option: expected one of 0|1']);
    const badRow = orderItems.rowSchema.safeParse({ ...row, date: new Date('2025-04-03T00:00:00Z') });
    expect(badRow.error!.issues.map((i) => i.message)).toEqual([
      'date 2025-04-03 is not the UTC date of order_timestamp 2025-04-01T10:00:00.000000Z (2025-04-01)',
    ]);
    expect(orderItems.rowSchema.safeParse({ ...row, id: null }).success).toBe(false);
  });
});

describe('declaration errors name what is wrong', () => {
  const ok = { name: 'things', columns: { id: int32(), label: string() } };
  test.each([
    ['a bad name', { ...ok, name: 'Things!' }, /must be lower case letters, digits and _, starting with a letter\n {2}→ at name/],
    ['no columns', { ...ok, columns: {} }, /at least one column/],
    ['an unknown primary key column', { ...ok, primaryKey: 'nope' }, /primaryKey names column nope, which is not declared/],
    ['a float primary key', { ...ok, columns: { id: float64() }, primaryKey: 'id' }, /primary key column id cannot be float64/],
    ['an unknown orderBy', { ...ok, orderBy: 'when' }, /orderBy names column when/],
    ['a string orderBy', { ...ok, orderBy: 'label' }, /orderBy column label is not orderable/],
    ['warn for malformed_row', { ...ok, policies: { malformed_row: 'warn' } }, /cannot warn/],
    ['an unknown rule in policies', { ...ok, policies: { nope: 'warn' } }, /policies/],
    ['a bad delimiter', { ...ok, csv: { delimiter: ';;' } }, /csv.delimiter/],
    ['an unknown option', { ...ok, extra: 1 }, /Unrecognized key/],
    ['a check about the wrong type', { ...ok, columns: { id: int32().check(z.string().min(1) as never) } }, /int32 column's checks are about number values, not string/],
    ['a foreign key of another type', { ...ok, foreignKeys: [{ column: 'label', references: orders }] }, /foreign key label is string but orders.order_id is int32/],
    ['a foreign key to a dataset without a one-column key', { ...ok, foreignKeys: [{ column: 'id', references: defineDataset({ name: 'nokey', columns: { id: int32() } }) }] }, /whose primary key is not a single column/],
    ['a row rule over the wrong types', { ...ok, rules: [orders.rules[0]!], columns: { date: string(), order_timestamp: timestamp() } }, /needs date to be date, not string/],
  ])('%s', (_, definition, message) => {
    expect(() => defineDataset(definition as never)).toThrow(ContractError);
    expect(() => defineDataset(definition as never)).toThrow(message);
  });

  test('lowCardinality is for strings, decimal needs a sane precision', () => {
    expect(() => int32().lowCardinality()).toThrow(/lowCardinality\(\) applies to string columns/);
    expect(() => decimal(40, 2)).toThrow(ContractError);
    expect(() => decimal(5, 6)).toThrow(ContractError);
  });
});

/** Runs the compiled check of `column` over `texts` (one CSV column) and returns which values fail. */
async function compiledFailures(column: Column, texts: string[]): Promise<boolean[]> {
  const contract = defineDataset({ name: 'c', columns: { v: column } });
  const reader = await openCsv(bytesSource('v\n' + texts.map((t) => (t === '' ? '""' : t)).join('\n') + '\n'));
  const out: boolean[] = [];
  for await (const batch of reader) {
    const decoded = decodeBatch(batch, [contract.columns[0]!.spec], [0]);
    const todo = new Uint8Array(batch.rowCount);
    todo.set(decoded.columns[0]!.valid);
    const fail = new Uint8Array(batch.rowCount);
    for (const check of contract.columns[0]!.checks) check.evaluate(decoded, 0, todo, fail);
    for (let r = 0; r < batch.rowCount; r++) out.push(fail[r] === 1);
  }
  return out;
}

describe('compiled checks agree with zod, value by value', () => {
  const rand = prng(11);
  const ints = [-2147483648, 2147483647, 0, -1, 1, 2, 3, 5, 10, 99, 100, 101, ...Array.from({ length: 300 }, () => Math.floor(rand() * 400) - 200)];
  const floats = [0, -0.5, 0.5, 1, 1.5, 2.25, 100, 100.0001, -100, 1e-9, ...Array.from({ length: 300 }, () => Math.round((rand() * 400 - 200) * 100) / 100)];
  const cases: [string, Column, z.ZodType, (number | string)[], boolean][] = [
    ['int32 >= 1', int32(), z.number().min(1), ints, false],
    ['int32 > 0 and < 100', int32(), z.number().gt(0).lt(100), ints, false],
    ['int32 <= 100 (int format)', int32(), z.int().max(100), ints, false],
    ['int32 in {0, 1}', int32(), z.literal([0, 1]), ints, false],
    ['int32 in {1, 5, 99}', int32(), z.literal([1, 5, 99]), ints, false],
    ['int32 enum-like union (zod fallback)', int32(), z.union([z.literal(2), z.literal(3)]), ints, true],
    ['int32 multiple of 5', int32(), z.number().multipleOf(5), ints, false],
    ['int32 refine (zod fallback)', int32(), z.number().refine((v) => v % 7 !== 3), ints, true],
    ['float64 > 0', float64(), z.number().gt(0), floats, false],
    ['float64 >= -100 and <= 100', float64(), z.number().min(-100).max(100), floats, false],
    ['float64 integer', float64(), z.int(), floats, false],
    ['int64 positive', int64(), z.bigint().positive(), ints, false],
  ];
  test.each(cases)('%s', async (_, base, schema, values, zodFallback) => {
    const column = base.check(schema as never);
    const contract = defineDataset({ name: 'c', columns: { v: column } });
    expect(contract.columns[0]!.checks[0]!.usesZod).toBe(zodFallback);
    const got = await compiledFailures(column, values.map(String));
    const want = values.map((v) => !schema.safeParse(base.kind === 'int64' ? BigInt(v) : v).success);
    expect(got).toEqual(want);
  });

  test('string lengths and sets, plain and dictionary columns, ASCII and not', async () => {
    const words = ['', 'a', 'ab', 'abc', 'abcd', 'día', 'niño', '日本語', 'x"y', 'naïve!'];
    for (const base of [string(), string().lowCardinality()]) {
      for (const schema of [z.string().min(2).max(3), z.string().length(4), z.enum(['a', 'abc', '日本語']), z.literal(['x"y']), z.string().regex(/^[a-z]+$/)]) {
        const got = await compiledFailures(base.check(schema as never), words.map((w) => `"${w.replace(/"/g, '""')}"`));
        expect(got).toEqual(words.map((w) => !schema.safeParse(w).success));
      }
    }
  });

  test('date and timestamp bounds given as Dates', async () => {
    const days = ['2024-12-31', '2025-01-01', '2025-06-30', '2025-07-01', '1969-12-31'];
    const after = z.date().min(new Date('2025-01-01T00:00:00Z')).max(new Date('2025-06-30T00:00:00Z'));
    expect(await compiledFailures(date().check(after), days)).toEqual([true, false, false, true, true]);
    const stamps = ['2025-01-01T00:00:00Z', '2024-12-31T23:59:59.999999Z', '2025-01-01T00:00:00.000001Z', '2025-01-01T01:00:00+01:00'];
    expect(await compiledFailures(timestamp().check(z.date().min(new Date('2025-01-01T00:00:00Z'))), stamps)).toEqual([false, true, false, false]);
  });
});

describe('every column type through the validator', () => {
  const everything = defineDataset({
    name: 'everything',
    columns: {
      i32: int32(),
      i64: int64().check(z.bigint().max(10n ** 18n)),
      f64: float64(),
      dec: decimal(6, 2).check(z.number().nonnegative()),
      s: string(),
      low: string().lowCardinality(),
      b: bool(),
      d: date(),
      ts: timestamp(),
    },
  });

  test('values, nulls and type errors', async () => {
    const o = await validate(
      everything,
      [
        'i32,i64,f64,dec,s,low,b,d,ts',
        '1,9007199254740993,1.5,1234.56,"a,b",x,true,2025-01-02,2025-01-02T03:04:05.123456Z',
        ',,,,,,,,',
        '2,-9223372036854775808,-0.25,0.5,é,y,N,1970-01-01,1970-01-01T00:00:00',
        '3,1,1,1.5,s,x,maybe,2025-01-02,2025-01-02T03:04:05',
        '7,1,1,12345.6,s,x,1,2025-01-02,2025-01-02T03:04:05',
        '4,1,1,-1.00,s,x,1,2025-01-02,2025-01-02T03:04:05',
        '5,1000000000000000001,1,1,s,x,1,2025-01-02,2025-01-02T03:04:05',
        '6,1,1,1.234,s,x,1,2025-01-02,2025-01-02T03:04:05',
      ].join('\n'),
    );
    expect(o.accepted).toEqual([
      '1,9007199254740993,1.5,123456,a,b,x,1,2025-01-02,2025-01-02T03:04:05.123456',
      ',,,,,,,,',
      '2,-9223372036854775808,-0.25,50,é,y,0,1970-01-01,1970-01-01T00:00:00',
    ]);
    expect(o.rejected).toEqual([
      ['type', 5],
      ['type', 6],
      ['range', 7],
      ['range', 8],
      ['type', 9],
    ]);
    expect(o.records.map((r) => r.message)).toEqual([
      'b: Invalid option: expected one of "0"|"1"|"true"|"false"|"t"|"f"|"yes"|"no"|"y"|"n" (value "maybe")',
      'dec: not a decimal of the declared precision and scale (value "12345.6")',
      'dec: Too small: expected number to be >=0 (value -1.00)',
      'i64: Too big: expected bigint to be <=1000000000000000000 (value 1000000000000000001)',
      'dec: not a decimal of the declared precision and scale (value "1.234")',
    ]);
    const first = (await validate(everything, 'i32,i64,f64,dec,s,low,b,d,ts\n1,2,3,4.5,s,x,t,2025-01-02,2025-01-02T00:00:00\n')).result;
    expect(first.schema.fields.map(fieldText)).toEqual([
      'i32:Int32?',
      'i64:Int64?',
      'f64:Float64?',
      'dec:Decimal[6e+2]?',
      's:Utf8?',
      'low:Dictionary<Int32, Utf8>?',
      'b:Bool?',
      'd:Date32<DAY>?',
      'ts:Timestamp<MICROSECOND, UTC>?',
    ]);
  });

  test('without a primary key, rows equal in every value are duplicates, however they are written', async () => {
    const o = await validate(
      everything,
      [
        'i32,i64,f64,dec,s,low,b,d,ts',
        '1,2,1.50,3.10,abc,x,true,2025-01-02,2025-01-02T03:04:05Z',
        '1,2,1.5,3.1,"abc","x",T,2025-01-02,2025-01-02 04:04:05+01:00',
        '1,2,1.5,3.1,abd,x,true,2025-01-02,2025-01-02T03:04:05Z',
        ',,,,,,,,',
        ',,,,,,,,',
        ',,,,"",,,,',
      ].join('\n'),
    );
    expect(o.rejected).toEqual([
      ['duplicate_row', 3],
      ['duplicate_row', 6],
    ]);
    expect(o.records[0]!.message).toBe('exact duplicate of line 2 of mem://everything/0.csv');
    expect(o.accepted).toHaveLength(4);
  });
});

describe('reconciliation and quarantine schema', () => {
  test('a summary that does not add up throws a typed error instead of returning', () => {
    const counts = { read: 3, accepted: 2, rejected: 0, warned: 0, rejectedByRule: {}, warnedByRule: {} };
    expect(() => assertReconciled({ dataset: 'x', ...counts, files: [] })).toThrow(ReconciliationError);
    expect(() => assertReconciled({ dataset: 'x', ...counts, read: 2, files: [{ uri: 'f', status: 'loaded', ...counts }] })).toThrow(
      /dataset x, file f: read 3 != accepted 2 \+ rejected 0/,
    );
    expect(() => assertReconciled({ dataset: 'x', ...counts, read: 3, rejected: 1, files: [] })).toThrow(/rejections per rule add up to 0, not 1/);
    try {
      assertReconciled({ dataset: 'x', ...counts, files: [] });
    } catch (e) {
      expect((e as ReconciliationError).kind).toBe('terminal');
    }
  });

  test('rejected_records schema and bounded batches', () => {
    expect(REJECTED_RECORDS_SCHEMA.fields.map(fieldText)).toEqual([
      'run_id:Utf8',
      'dataset:Utf8',
      'source_uri:Utf8',
      'source_line:Int64',
      'rule:Utf8',
      'message:Utf8',
      'raw_record:Utf8',
      'rejected_at:Timestamp<MICROSECOND, UTC>',
    ]);
    const records = Array.from({ length: 5 }, (_, i) => ({ dataset: 'd', source_uri: 'u', source_line: i + 2, rule: 'range' as const, message: `m${i}`, raw_record: `r,ü${i}` }));
    const batches = [...quarantineBatches(records, { runId: 'run', rejectedAt: new Date(1000), batchRows: 2 })];
    expect(batches.map((b) => b.numRows)).toEqual([2, 2, 1]);
    const t = new arrow.Table(batches);
    expect(t.getChild('raw_record')!.toArray()).toEqual(records.map((r) => r.raw_record));
    expect([...t.getChild('source_line')!].map(Number)).toEqual([2, 3, 4, 5, 6]);
    expect(t.getChild('rejected_at')!.get(0)).toBe(1000);
  });
});

test('contracts are plain data a pipeline can inspect', () => {
  const c: DatasetContract = orderItems;
  expect(c.columns.map((col) => [col.name, col.spec.kind, col.spec.isRequired])).toEqual([
    ['id', 'int32', true],
    ['order_id', 'int32', true],
    ['user_id', 'int32', false],
    ['days_since_prior_order', 'int32', false],
    ['product_id', 'int32', true],
    ['add_to_cart_order', 'int32', false],
    ['reordered', 'int32', false],
    ['order_timestamp', 'timestamp', true],
    ['date', 'date', true],
  ]);
  expect(c.policies.duplicate_key).toBe('quarantine');
});
