/**
 * The bad-input corpus: each case feeds raw CSV with one kind of defect through the validator and
 * asserts the exact accepted rows and the exact rule and line of every rejected row. Every case also
 * checks that nothing is lost (read = accepted + rejected, per file and per dataset) and that the same
 * result comes out when the input arrives in 7-byte chunks.
 */
import { gzipSync } from 'node:zlib';
import { orderItems, orders, products } from '../../validation/contracts/ecommerce.js';
import { TransientStorageError } from '../../etl/errors.js';
import {
  bytesInput,
  defineDataset,
  InputFileError,
  int32,
  string,
  ValidationFailedError,
  ValidationRun,
  withPolicies,
  type DatasetContract,
  type RuleCode,
} from '../../validation/index.js';
import { stopIdleDecodeWorker } from '../../validation/decode-worker-pool.js';
import { validate, type Outcome } from '../support/validation-harness.js';

const ITEMS = 'id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date';
const ORDERS = 'order_num,order_id,user_id,order_timestamp,total_amount,date';
const PRODUCTS = 'product_id,department_id,department,product_name';

/** A CSV text: header, then rows (data rows start on line 2), LF line ends. */
const csv = (header: string, ...rows: string[]): string => [header, ...rows].join('\n') + '\n';
/** A valid order_items row. */
const item = (id: number, ts = '2025-04-01T10:00:00', date = '2025-04-01', orderId = 1, productId = 2): string =>
  `${id},${orderId},7,3,${productId},1,0,${ts},${date}`;

const KEYS = { orders: [1, 2, 3], products: [1, 2, 3] };

interface Case {
  /** What defect the case is about. */
  name: string;
  contract: DatasetContract;
  input: string | Uint8Array | (string | Uint8Array)[];
  accepted: string[];
  rejected: [RuleCode, number][];
  /** Extra assertions. */
  also?: (o: Outcome) => void;
}

const cases: Case[] = [
  {
    name: 'a clean file loads whole',
    contract: orderItems,
    input: csv(ITEMS, item(1), item(2), item(3)),
    accepted: [item(1), item(2), item(3)],
    rejected: [],
  },
  {
    name: 'ragged row: too few fields',
    contract: orderItems,
    input: csv(ITEMS, item(1), '2,1,7,3,2,1,0,2025-04-01T10:00:00', item(3)),
    accepted: [item(1), item(3)],
    rejected: [['malformed_row', 3]],
    also: (o) => expect(o.records[0]!.message).toBe('expected 9 fields, found 8'),
  },
  {
    name: 'ragged row: too many fields',
    contract: orderItems,
    input: csv(ITEMS, item(1), `${item(2)},extra`, item(3)),
    accepted: [item(1), item(3)],
    rejected: [['malformed_row', 3]],
    also: (o) => expect(o.records[0]!.raw_record).toBe(`${item(2)},extra`),
  },
  {
    name: 'unclosed quote: the rest of the file is one malformed row, counted once',
    contract: orderItems,
    input: csv(ITEMS, item(1), '2,1,7,"3,2,1,0,2025-04-01T10:00:00,2025-04-01', item(3), item(4)),
    accepted: [item(1)],
    rejected: [['malformed_row', 3]],
    also: (o) => {
      expect(o.records[0]!.message).toMatch(/unclosed quote opened on line 3/);
      expect(o.records[0]!.raw_record).toBe(`2,1,7,"3,2,1,0,2025-04-01T10:00:00,2025-04-01\n${item(3)}\n${item(4)}`);
      expect(o.result.summary.read).toBe(2);
    },
  },
  {
    name: 'stray quote inside an unquoted field',
    contract: orderItems,
    input: csv(ITEMS, item(1), '2,1,7,3"x,2,1,0,2025-04-01T10:00:00,2025-04-01'),
    accepted: [item(1)],
    rejected: [['malformed_row', 3]],
    also: (o) => expect(o.records[0]!.message).toBe('quote inside an unquoted field (field 4)'),
  },
  {
    name: 'text after a closing quote',
    contract: orderItems,
    input: csv(ITEMS, '1,1,7,"3"x,2,1,0,2025-04-01T10:00:00,2025-04-01', item(2)),
    accepted: [item(2)],
    rejected: [['malformed_row', 2]],
  },
  {
    name: 'embedded newline in a quoted field keeps later line numbers right',
    contract: products,
    input: csv(PRODUCTS, '1,4,Books,"Line one\nline two"', '2,4,Books,Plain', 'x,4,Books,Bad'),
    accepted: ['1,4,Books,Line one\nline two', '2,4,Books,Plain'],
    rejected: [['type', 5]],
  },
  {
    name: 'UTF-8 byte order mark before the header',
    contract: orderItems,
    input: '\uFEFF' + csv(ITEMS, item(1), item(2)),
    accepted: [item(1), item(2)],
    rejected: [],
  },
  {
    name: 'CRLF line endings',
    contract: orderItems,
    input: [ITEMS, item(1), item(2), 'x' + item(3)].join('\r\n') + '\r\n',
    accepted: [item(1), item(2)],
    rejected: [['type', 4]],
    also: (o) => expect(o.records[0]!.raw_record).toBe('x' + item(3)),
  },
  {
    name: 'invalid UTF-8 in a row',
    contract: products,
    input: Buffer.concat([Buffer.from(csv(PRODUCTS, '1,4,Books,Fine') + '2,4,Books,Bad'), Buffer.from([0xff, 0xfe]), Buffer.from('\n3,4,Toys,Also fine\n')]),
    accepted: ['1,4,Books,Fine', '3,4,Toys,Also fine'],
    rejected: [['malformed_row', 3]],
    also: (o) => expect(o.records[0]!.message).toMatch(/^invalid UTF-8 at byte \d+ \(field 4\)$/),
  },
  {
    name: 'valid multi-byte UTF-8 is kept exactly',
    contract: products,
    input: csv(PRODUCTS, '1,4,Bücher,Café crème 日本 🎉'),
    accepted: ['1,4,Bücher,Café crème 日本 🎉'],
    rejected: [],
  },
  {
    name: 'empty file',
    contract: orderItems,
    input: '',
    accepted: [],
    rejected: [],
    also: (o) => expect(o.result.summary.files[0]).toMatchObject({ status: 'empty', read: 0 }),
  },
  {
    name: 'a file of blank lines only',
    contract: orderItems,
    input: '\n\r\n\n',
    accepted: [],
    rejected: [],
    also: (o) => expect(o.result.summary.files[0]!.status).toBe('empty'),
  },
  {
    name: 'header only',
    contract: orderItems,
    input: csv(ITEMS),
    accepted: [],
    rejected: [],
    also: (o) => expect(o.result.summary.files[0]).toMatchObject({ status: 'loaded', read: 0 }),
  },
  {
    name: 'header only, without a final line break',
    contract: orderItems,
    input: ITEMS,
    accepted: [],
    rejected: [],
  },
  {
    name: 'last row without a final line break',
    contract: orderItems,
    input: `${ITEMS}\n${item(1)}\n${item(2)}`,
    accepted: [item(1), item(2)],
    rejected: [],
  },
  {
    name: 'reordered header: columns are matched by name',
    contract: orderItems,
    input: csv('date,order_timestamp,reordered,add_to_cart_order,product_id,days_since_prior_order,user_id,order_id,id', '2025-04-01,2025-04-01T10:00:00,1,4,2,,9,3,1'),
    accepted: ['1,3,9,,2,4,1,2025-04-01T10:00:00,2025-04-01'],
    rejected: [],
  },
  {
    name: 'header names with surrounding spaces',
    contract: products,
    input: csv(' product_id , department_id,department ,product_name', '1,4,Books,A'),
    accepted: ['1,4,Books,A'],
    rejected: [],
  },
  {
    name: 'missing column rejects every row of the file',
    contract: orderItems,
    input: csv('id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,order_timestamp,date', '1,1,7,3,2,1,2025-04-01T10:00:00,2025-04-01', '2,1,7,3,2,1,2025-04-01T10:00:00,2025-04-01'),
    accepted: [],
    rejected: [['header_mismatch', 2], ['header_mismatch', 3]],
    also: (o) => {
      expect(o.records[0]!.message).toBe('header does not match the contract: missing column reordered');
      expect(o.result.summary.files[0]).toMatchObject({ status: 'header_mismatch', read: 2, rejected: 2, headerProblem: o.records[0]!.message });
    },
  },
  {
    name: 'extra column rejects every row of the file',
    contract: products,
    input: csv(`${PRODUCTS},coupon`, '1,4,Books,A,X', '2,4,Books,B,Y'),
    accepted: [],
    rejected: [['header_mismatch', 2], ['header_mismatch', 3]],
    also: (o) => expect(o.records[0]!.message).toBe('header does not match the contract: unexpected column "coupon"'),
  },
  {
    name: 'renamed column',
    contract: products,
    input: csv('product_id,department_id,dept,product_name', '1,4,Books,A'),
    accepted: [],
    rejected: [['header_mismatch', 2]],
    also: (o) => expect(o.records[0]!.message).toBe('header does not match the contract: renamed: "dept" where "department" was expected'),
  },
  {
    name: 'a column renamed only in letter case',
    contract: products,
    input: csv('Product_ID,department_id,department,product_name', '1,4,Books,A'),
    accepted: [],
    rejected: [['header_mismatch', 2]],
    also: (o) => expect(o.records[0]!.message).toMatch(/renamed: "Product_ID" where "product_id" was expected/),
  },
  {
    name: 'duplicated header column',
    contract: products,
    input: csv(`${PRODUCTS},department`, '1,4,Books,A,Books'),
    accepted: [],
    rejected: [['header_mismatch', 2]],
    also: (o) => expect(o.records[0]!.message).toMatch(/duplicated column department/),
  },
  {
    name: 'a header_mismatch file counts its malformed rows too, once each',
    contract: products,
    input: csv('product_id,department_id,department', '1,4,Books', '2,4', '"3,4,Toys'),
    accepted: [],
    rejected: [['header_mismatch', 2], ['header_mismatch', 3], ['header_mismatch', 4]],
    also: (o) => expect(o.records.map((r) => r.raw_record)).toEqual(['1,4,Books', '2,4', '"3,4,Toys']),
  },
  {
    name: 'a header row that cannot be parsed rejects every non-blank line after it',
    contract: products,
    input: 'product_id,"department_id,department,product_name\n1,4,Books,A\n\n2,4,Toys,B\n',
    accepted: [],
    rejected: [['header_mismatch', 2], ['header_mismatch', 4]],
    also: (o) => {
      expect(o.records[0]!.message).toMatch(/^header row cannot be read: CSV header on line 1: unclosed quote/);
      expect(o.records.map((r) => r.raw_record)).toEqual(['1,4,Books,A', '2,4,Toys,B']);
    },
  },
  {
    name: 'null primary key',
    contract: orderItems,
    input: csv(ITEMS, item(1), ',1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01'),
    accepted: [item(1)],
    rejected: [['not_null', 3]],
    also: (o) => expect(o.records[0]!.message).toBe('id: required, but null (Invalid input: expected number, received null)'),
  },
  {
    name: 'null in a required foreign-key column',
    contract: orderItems,
    input: csv(ITEMS, '1,,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01'),
    accepted: [],
    rejected: [['not_null', 2]],
  },
  {
    name: 'null required timestamp',
    contract: orderItems,
    input: csv(ITEMS, '1,1,7,3,2,1,0,,2025-04-01'),
    accepted: [],
    rejected: [['not_null', 2]],
    also: (o) => expect(o.records[0]!.message).toMatch(/^order_timestamp: required, but null/),
  },
  {
    name: 'nulls in nullable columns are kept as nulls',
    contract: orderItems,
    input: csv(ITEMS, '1,1,,,2,,,2025-04-01T10:00:00,2025-04-01'),
    accepted: ['1,1,,,2,,,2025-04-01T10:00:00,2025-04-01'],
    rejected: [],
  },
  {
    name: 'a row of delimiters only fails on its first required column',
    contract: orderItems,
    input: csv(ITEMS, ',,,,,,,,', item(2)),
    accepted: [item(2)],
    rejected: [['not_null', 2]],
    also: (o) => expect(o.records[0]!.message).toMatch(/^id: /),
  },
  {
    name: 'quoted empty string is a value, unquoted empty is null',
    contract: products,
    input: csv(PRODUCTS, '1,4,Books,""', '2,4,Books,'),
    accepted: ['1,4,Books,'],
    rejected: [['not_null', 3]],
  },
  {
    name: 'blank lines are skipped but keep line numbers',
    contract: orderItems,
    input: `${ITEMS}\n${item(1)}\n\n${item(2)}\n\r\n\nx${item(3)}\n\n`,
    accepted: [item(1), item(2)],
    rejected: [['type', 7]],
    also: (o) => expect(o.result.summary.read).toBe(3),
  },
  {
    name: 'non-numeric number',
    contract: orderItems,
    input: csv(ITEMS, '1,1,abc,3,2,1,0,2025-04-01T10:00:00,2025-04-01', item(2)),
    accepted: [item(2)],
    rejected: [['type', 2]],
    also: (o) => expect(o.records[0]!.message).toBe('user_id: Invalid input: expected number, received NaN (value "abc")'),
  },
  {
    name: 'int32 overflow',
    contract: orderItems,
    input: csv(ITEMS, '2147483648,1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01', '2147483647,1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01', '-2147483649,1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01'),
    accepted: ['2147483647,1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01'],
    rejected: [['type', 2], ['type', 4]],
    also: (o) => expect(o.records[0]!.message).toBe('id: Too big: expected number to be <=2147483647 (value "2147483648")'),
  },
  {
    name: 'fractions, exponents and spaces are not integers',
    contract: orderItems,
    input: csv(ITEMS, '1,1,1.5,3,2,1,0,2025-04-01T10:00:00,2025-04-01', '2,1,1e3,3,2,1,0,2025-04-01T10:00:00,2025-04-01', '3,1, 7,3,2,1,0,2025-04-01T10:00:00,2025-04-01', item(4)),
    accepted: [item(4)],
    rejected: [['type', 2], ['type', 3], ['type', 4]],
    also: (o) => expect(o.records[0]!.message).toBe('user_id: Invalid input: expected int, received number (value "1.5")'),
  },
  {
    name: 'negative amount',
    contract: orders,
    input: csv(ORDERS, '1,10,7,2025-04-01T10:00:00,-5.00,2025-04-01', '2,11,7,2025-04-01T10:00:00,12.50,2025-04-01'),
    accepted: ['2,11,7,2025-04-01T10:00:00,12.5,2025-04-01'],
    rejected: [['range', 2]],
    also: (o) => expect(o.records[0]!.message).toBe('total_amount: Too small: expected number to be >0 (value -5)'),
  },
  {
    name: 'zero amount (must be > 0)',
    contract: orders,
    input: csv(ORDERS, '1,10,7,2025-04-01T10:00:00,0,2025-04-01', '1,11,7,2025-04-01T10:00:00,0.01,2025-04-01'),
    accepted: ['1,11,7,2025-04-01T10:00:00,0.01,2025-04-01'],
    rejected: [['range', 2]],
  },
  {
    name: 'non-numeric amount',
    contract: orders,
    input: csv(ORDERS, '1,10,7,2025-04-01T10:00:00,$12,2025-04-01', '1,11,7,2025-04-01T10:00:00,NaN,2025-04-01'),
    accepted: [],
    rejected: [['type', 2], ['type', 3]],
  },
  {
    name: 'out-of-range flag (reordered must be 0 or 1)',
    contract: orderItems,
    input: csv(ITEMS, '1,1,7,3,2,1,2,2025-04-01T10:00:00,2025-04-01', '2,1,7,3,2,1,-1,2025-04-01T10:00:00,2025-04-01', '3,1,7,3,2,1,1,2025-04-01T10:00:00,2025-04-01'),
    accepted: ['3,1,7,3,2,1,1,2025-04-01T10:00:00,2025-04-01'],
    rejected: [['range', 2], ['range', 3]],
    also: (o) => expect(o.records[0]!.message).toBe('reordered: Invalid option: expected one of 0|1 (value 2)'),
  },
  {
    name: 'add_to_cart_order below 1',
    contract: orderItems,
    input: csv(ITEMS, '1,1,7,3,2,0,0,2025-04-01T10:00:00,2025-04-01', item(2)),
    accepted: [item(2)],
    rejected: [['range', 2]],
    also: (o) => expect(o.records[0]!.message).toBe('add_to_cart_order: Too small: expected number to be >=1 (value 0)'),
  },
  {
    name: 'not a timestamp',
    contract: orderItems,
    input: csv(ITEMS, '1,1,7,3,2,1,0,yesterday,2025-04-01', '2,1,7,3,2,1,0,2025/04/01 10:00,2025-04-01'),
    accepted: [],
    rejected: [['timestamp_format', 2], ['timestamp_format', 3]],
    also: (o) => expect(o.records[0]!.message).toMatch(/^order_timestamp: expected ISO-8601 .* \(value "yesterday"\)$/),
  },
  {
    name: 'impossible timestamp 2025-02-30',
    contract: orderItems,
    input: csv(ITEMS, item(1, '2025-02-30T10:00:00', '2025-02-30'), item(2, '2024-02-29T10:00:00', '2024-02-29')),
    accepted: [item(2, '2024-02-29T10:00:00', '2024-02-29')],
    rejected: [['timestamp_format', 2]],
    also: (o) => expect(o.records[0]!.message).toBe('order_timestamp: 2025-02-30 is not a calendar date (value "2025-02-30T10:00:00")'),
  },
  {
    name: 'impossible time of day',
    contract: orderItems,
    input: csv(ITEMS, item(1, '2025-04-01T24:00:00'), item(2, '2025-04-01T10:60:00'), item(3, '2025-04-01T10:00:60')),
    accepted: [],
    rejected: [['timestamp_format', 2], ['timestamp_format', 3], ['timestamp_format', 4]],
    also: (o) => expect(o.records[0]!.message).toBe('order_timestamp: 24:00:00 is not a time of day (value "2025-04-01T24:00:00")'),
  },
  {
    name: 'bad and impossible dates',
    contract: orderItems,
    input: csv(ITEMS, item(1, undefined, '2025-4-1'), item(2, '2025-02-28T10:00:00', '2025-02-29'), item(3, undefined, '01/04/2025')),
    accepted: [],
    rejected: [['timestamp_format', 2], ['timestamp_format', 3], ['timestamp_format', 4]],
    also: (o) => expect(o.records[1]!.message).toBe('date: 2025-02-29 is not a calendar date (value "2025-02-29")'),
  },
  {
    name: 'date that is not the UTC date of order_timestamp',
    contract: orderItems,
    input: csv(ITEMS, item(1, '2025-04-01T10:00:00', '2025-04-02'), item(2, '2025-04-01T23:59:59.999999', '2025-04-01')),
    accepted: [item(2, '2025-04-01T23:59:59.999999', '2025-04-01')],
    rejected: [['range', 2]],
    also: (o) => expect(o.records[0]!.message).toBe('date 2025-04-02 is not the UTC date of order_timestamp 2025-04-01T10:00:00.000000Z (2025-04-01)'),
  },
  {
    name: 'timestamps with offsets, a space, fractions and Z are normalised to UTC',
    contract: orderItems,
    input: csv(ITEMS, item(1, '2025-04-01T23:30:00-02:00', '2025-04-02'), item(2, '2025-04-01 10:00:00.123456Z', '2025-04-01'), item(3, '2025-04-01T10:00+0530', '2025-04-01'), item(4, '2025-04-01T23:30:00-02:00', '2025-04-01')),
    accepted: [item(1, '2025-04-02T01:30:00', '2025-04-02'), item(2, '2025-04-01T10:00:00.123456', '2025-04-01'), item(3, '2025-04-01T04:30:00', '2025-04-01')],
    rejected: [['range', 5]],
  },
  {
    name: 'exact duplicate rows',
    contract: orderItems,
    input: csv(ITEMS, item(1), item(2), item(2), item(3), item(2)),
    accepted: [item(1), item(2), item(3)],
    rejected: [['duplicate_row', 4], ['duplicate_row', 6]],
    also: (o) => expect(o.records[0]!.message).toBe('exact duplicate of line 3 of mem://order_items/0.csv (id=2)'),
  },
  {
    name: 'duplicate keys: the later order_timestamp wins even when it comes first',
    contract: orderItems,
    input: csv(ITEMS, item(1), item(2, '2025-04-01T11:00:00'), item(2, '2025-04-01T10:00:00')),
    accepted: [item(1), item(2, '2025-04-01T11:00:00')],
    rejected: [['duplicate_key', 4]],
    also: (o) =>
      expect(o.records[0]!.message).toBe(
        'id=2: line 3 of mem://order_items/0.csv wins (later order_timestamp 2025-04-01T11:00:00.000000Z > 2025-04-01T10:00:00.000000Z)',
      ),
  },
  {
    name: 'duplicate keys: a newer row supersedes one accepted in an earlier batch',
    contract: defineDataset({ ...orderItems.definition, csv: { batchRows: 2 } }),
    input: csv(ITEMS, item(1), item(2, '2025-04-01T10:00:00'), item(3), item(4), item(2, '2025-04-01T12:00:00')),
    accepted: [item(1), item(3), item(4), item(2, '2025-04-01T12:00:00')],
    rejected: [['duplicate_key', 3]],
    also: (o) => {
      expect(o.records[0]!.raw_record).toBe(item(2, '2025-04-01T10:00:00'));
      expect(o.records[0]!.message).toMatch(/^id=2: superseded by line 6 of mem:\/\/order_items\/0.csv \(later order_timestamp/);
    },
  },
  {
    name: 'duplicate keys with the same timestamp: the later row in the input wins',
    contract: orderItems,
    input: csv(ITEMS, item(1), '2,1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01', '2,1,8,3,2,1,0,2025-04-01T10:00:00,2025-04-01'),
    accepted: [item(1), '2,1,8,3,2,1,0,2025-04-01T10:00:00,2025-04-01'],
    rejected: [['duplicate_key', 3]],
    also: (o) => expect(o.records[0]!.raw_record).toBe('2,1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01'),
  },
  {
    name: 'duplicate keys across two files of one run',
    contract: orderItems,
    input: [csv(ITEMS, item(5, '2025-04-01T10:00:00'), item(6)), csv(ITEMS, item(5, '2025-04-01T09:00:00'), item(7))],
    accepted: [item(5), item(6), item(7)],
    rejected: [['duplicate_key', 2]],
    also: (o) => {
      expect(o.records[0]!.source_uri).toBe('mem://order_items/1.csv');
      expect(o.result.summary.files.map((f) => [f.read, f.accepted, f.rejected])).toEqual([[2, 2, 0], [2, 1, 1]]);
    },
  },
  {
    name: 'a newer row in a later file supersedes one accepted from an earlier file',
    contract: products,
    input: [csv(PRODUCTS, '1,4,Books,Old name', '2,4,Books,B'), csv(PRODUCTS, '1,4,Books,New name')],
    accepted: ['2,4,Books,B', '1,4,Books,New name'],
    rejected: [['duplicate_key', 2]],
    also: (o) => {
      expect(o.records[0]).toMatchObject({ source_uri: 'mem://products/0.csv', raw_record: '1,4,Books,Old name' });
      expect(o.result.summary.files.map((f) => [f.read, f.accepted, f.rejected])).toEqual([[2, 1, 1], [1, 1, 0]]);
    },
  },
  {
    name: 'orphan order_items (order not accepted and not committed)',
    contract: orderItems,
    input: csv(ITEMS, item(1), item(2, undefined, undefined, 99)),
    accepted: [item(1)],
    rejected: [['foreign_key', 3]],
    also: (o) => expect(o.records[0]!.message).toBe('order_id 99 not found in orders.order_id (neither accepted in this run nor committed)'),
  },
  {
    name: 'orphan products (product not accepted and not committed)',
    contract: orderItems,
    input: csv(ITEMS, item(1, undefined, undefined, 1, 3), item(2, undefined, undefined, 1, 42)),
    accepted: [item(1, undefined, undefined, 1, 3)],
    rejected: [['foreign_key', 3]],
    also: (o) => expect(o.records[0]!.message).toMatch(/^product_id 42 not found in products.product_id/),
  },
  {
    name: 'a row with several defects is reported once, under the first rule in column order',
    contract: orderItems,
    input: csv(ITEMS, 'x,99,7,3,2,0,5,2025-02-30T10:00:00,2025-04-01'),
    accepted: [],
    rejected: [['type', 2]],
  },
  {
    name: 'very long fields: a 100 kB name loads intact, a 5000-digit number is a type error',
    contract: products,
    input: csv(PRODUCTS, `1,4,Books,${'n'.repeat(100_000)}`, `${'9'.repeat(5000)},4,Books,B`),
    accepted: [`1,4,Books,${'n'.repeat(100_000)}`],
    rejected: [['type', 3]],
    also: (o) => expect(o.records[0]!.message.length).toBeLessThan(300),
  },
  {
    name: 'quoted fields with delimiters and escaped quotes',
    contract: products,
    input: csv(PRODUCTS, '1,4,"Home, Garden","Mug ""XL"", blue"', '"2","4","Toys","Ball"'),
    accepted: ['1,4,Home, Garden,Mug "XL", blue', '2,4,Toys,Ball'],
    rejected: [],
  },
  {
    name: 'gzip input',
    contract: orderItems,
    input: gzipSync(Buffer.from(csv(ITEMS, item(1), 'x' + item(2), item(3)))),
    accepted: [item(1), item(3)],
    rejected: [['type', 3]],
  },
];

const DIALECT = defineDataset({
  name: 'semicolons',
  columns: { id: int32(), code: int32(), label: string().required(), note: string() },
  primaryKey: 'id',
  csv: { delimiter: ';', quote: "'", nullToken: 'NULL' },
});

cases.push({
  name: 'custom dialect: semicolons, single quotes, NULL token',
  contract: DIALECT,
  input: csv('id;code;label;note', "1;NULL;'NULL';", "2;5;'a;b';NULL", '3;6;NULL;x', "4;7;'it''s';'NULL'"),
  accepted: ['1,,NULL,', '2,5,a;b,', "4,7,it's,NULL"],
  rejected: [['not_null', 4]],
});

function assertNothingLost(o: Outcome): void {
  const s = o.result.summary;
  expect(s.read).toBe(s.accepted + s.rejected);
  expect(o.accepted).toHaveLength(s.accepted);
  expect(o.records).toHaveLength(s.rejected);
  for (const f of s.files) expect(f.read).toBe(f.accepted + f.rejected);
  for (const r of o.records) {
    expect(r.dataset).toBe(o.result.dataset);
    expect(r.raw_record.length).toBeGreaterThan(0);
  }
}

describe('bad-input corpus', () => {
  test('has at least 30 distinct defects', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBeGreaterThanOrEqual(30);
  });

  test.each(cases)('$name', async (c) => {
    const input = Array.isArray(c.input) ? c.input : [c.input];
    const o = await validate(c.contract, input, { committed: KEYS });
    expect(o.accepted).toEqual(c.accepted);
    expect(o.rejected).toEqual(c.rejected);
    assertNothingLost(o);
    c.also?.(o);
    // Chunk boundaries anywhere (here every 7 bytes) give the same outcome.
    const chunked = await validate(c.contract, input, { committed: KEYS, chunk: 7 });
    expect(chunked.accepted).toEqual(c.accepted);
    expect(chunked.records).toEqual(o.records);
    // Tokenized and decoded on the worker thread, in a single pass: the same outcome.
    process.env.LAKEHOUSE_CSV_WORKER = '1';
    try {
      const threaded = await validate(c.contract, input, { committed: KEYS, stream: true });
      expect(threaded.accepted).toEqual(c.accepted);
      expect(threaded.records).toEqual(o.records);
      expect(threaded.result.summary).toEqual(o.result.summary);
    } finally {
      delete process.env.LAKEHOUSE_CSV_WORKER;
    }
  });
  afterAll(() => stopIdleDecodeWorker());
});

describe('referential integrity within one run', () => {
  test('items of an order rejected in this run fail foreign_key; items of accepted orders pass', async () => {
    const run = new ValidationRun({ runId: 'r' });
    const o = await validate(orders, csv(ORDERS, '1,10,7,2025-04-01T10:00:00,-1,2025-04-01', '2,11,7,2025-04-01T10:00:00,5,2025-04-01'), { run });
    expect(o.rejected).toEqual([['range', 2]]);
    await validate(products, csv(PRODUCTS, '2,4,Books,B'), { run });
    const items = await validate(orderItems, csv(ITEMS, item(1, undefined, undefined, 10), item(2, undefined, undefined, 11)), { run });
    expect(items.accepted).toEqual([item(2, undefined, undefined, 11)]);
    expect(items.rejected).toEqual([['foreign_key', 2]]);
    expect(items.records[0]!.message).toBe('order_id 10: the orders.order_id row it refers to was rejected in this run');
  });

  test('validateAll validates in dependency order and checks against keys accepted earlier in the run', async () => {
    const run = new ValidationRun({ runId: 'r' });
    const seen: string[] = [];
    const inputs = {
      order_items: [bytesInput('mem://items.csv', csv(ITEMS, item(1, undefined, undefined, 10, 5)))],
      orders: [bytesInput('mem://orders.csv', csv(ORDERS, '1,10,7,2025-04-01T10:00:00,5,2025-04-01'))],
      products: [bytesInput('mem://products.csv', csv(PRODUCTS, '5,4,Books,B'))],
    };
    for await (const result of run.validateAll([orderItems, orders, products], inputs)) {
      seen.push(result.dataset);
      expect(result.summary.rejected).toBe(0);
      for await (const _ of result.accepted) void _;
    }
    expect(seen).toEqual(['orders', 'products', 'order_items']);
    expect(run.summary().datasets.map((d) => [d.dataset, d.read, d.accepted, d.rejected])).toEqual([
      ['orders', 1, 1, 0],
      ['products', 1, 1, 0],
      ['order_items', 1, 1, 0],
    ]);
  });

  test('validating a referenced dataset after the one referencing it is a usage error', async () => {
    const run = new ValidationRun({ runId: 'r' });
    await validate(orderItems, csv(ITEMS), { run });
    await expect(validate(orders, csv(ORDERS), { run })).rejects.toThrow(/validate orders before order_items/);
  });
});

describe('policies', () => {
  test('warn keeps the row, counts it as accepted and as a warning', async () => {
    const o = await validate(withPolicies(orders, { range: 'warn' }), csv(ORDERS, '1,10,7,2025-04-01T10:00:00,-5,2025-04-01', '2,11,7,2025-04-01T10:00:00,5,2025-04-01'));
    expect(o.accepted).toEqual(['1,10,7,2025-04-01T10:00:00,-5,2025-04-01', '2,11,7,2025-04-01T10:00:00,5,2025-04-01']);
    expect(o.rejected).toEqual([]);
    expect(o.result.summary).toMatchObject({ read: 2, accepted: 2, rejected: 0, warned: 1, warnedByRule: { range: 1 } });
    expect(o.result.warnings).toEqual([
      { dataset: 'orders', source_uri: 'mem://orders/0.csv', source_line: 2, rule: 'range', message: 'total_amount: Too small: expected number to be >0 (value -5)' },
    ]);
  });

  test('not_null warn makes the column nullable and keeps the row', async () => {
    const contract = withPolicies(orderItems, { not_null: 'warn' });
    expect(contract.arrowSchema.fields.find((f) => f.name === 'id')!.nullable).toBe(true);
    const o = await validate(contract, csv(ITEMS, ',1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01'), { committed: KEYS });
    expect(o.accepted).toEqual([',1,7,3,2,1,0,2025-04-01T10:00:00,2025-04-01']);
    expect(o.result.summary.warnedByRule).toEqual({ not_null: 1 });
  });

  test('duplicate_key warn keeps both rows', async () => {
    const o = await validate(withPolicies(orderItems, { duplicate_key: 'warn' }), csv(ITEMS, item(1, '2025-04-01T10:00:00'), item(1, '2025-04-01T11:00:00')), { committed: KEYS });
    expect(o.accepted).toEqual([item(1, '2025-04-01T10:00:00'), item(1, '2025-04-01T11:00:00')]);
    expect(o.result.summary).toMatchObject({ accepted: 2, rejected: 0, warned: 1, warnedByRule: { duplicate_key: 1 } });
  });

  test('fail stops the run with a typed, terminal error naming file, line, column and rule', async () => {
    const contract = withPolicies(orderItems, { foreign_key: 'fail' });
    const error = await validate(contract, csv(ITEMS, item(1), item(2, undefined, undefined, 99)), { committed: KEYS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailedError);
    const e = error as ValidationFailedError;
    expect(e.kind).toBe('terminal');
    expect(e.rule).toBe('foreign_key');
    expect(e.location).toEqual({ dataset: 'order_items', sourceUri: 'mem://order_items/0.csv', line: 3, column: 'order_id' });
    expect(e.message).toBe(
      'order_items: rule foreign_key has policy fail and tripped at mem://order_items/0.csv line 3, column order_id: order_id 99 not found in orders.order_id (neither accepted in this run nor committed)',
    );
  });

  test('fail on header_mismatch and malformed_row', async () => {
    await expect(validate(withPolicies(products, { header_mismatch: 'fail' }), csv('product_id,x', '1,2'))).rejects.toThrow(
      /rule header_mismatch has policy fail and tripped at mem:\/\/products\/0.csv line 1: header does not match the contract: missing columns/,
    );
    await expect(validate(withPolicies(products, { malformed_row: 'fail' }), csv(PRODUCTS, '1,2'))).rejects.toThrow(/malformed_row .* line 2: expected 4 fields, found 2/);
  });
});

describe('inputs that cannot be read', () => {
  test('a corrupt gzip stream is a terminal InputFileError naming the file', async () => {
    const gz = gzipSync(Buffer.from(csv(ITEMS, ...Array.from({ length: 2000 }, (_, i) => item(i + 1)))));
    for (const at of [200, gz.length - 300]) {
      const broken = Buffer.concat([gz.subarray(0, at), Buffer.alloc(64, 0x55), gz.subarray(at + 64)]);
      const error = await validate(orderItems, [broken], { committed: KEYS, chunk: 1024 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputFileError);
      expect((error as InputFileError).kind).toBe('terminal');
      expect((error as Error).message).toMatch(/^mem:\/\/order_items\/0.csv: corrupt gzip stream/);
    }
  });

  test('a storage error while reading keeps its type (a transient one can be retried)', async () => {
    const failing = {
      uri: 's3://raw/order_items/x.csv',
      async *open() {
        yield new TextEncoder().encode(csv(ITEMS, item(1)));
        throw new TransientStorageError('connection reset');
      },
    };
    const error = await validate(orderItems, [failing], { committed: KEYS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientStorageError);
    expect((error as TransientStorageError).transient).toBe(true);
  });
});
