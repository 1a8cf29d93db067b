/**
 * Iceberg format pieces in isolation: the binary single-value encoding of bounds (truncated strings,
 * signed zeros, dates, timestamps), Avro container files with 63-bit longs, partition transforms,
 * metadata JSON with exact snapshot ids, and reading files without field ids through the name mapping.
 */
import * as arrow from 'apache-arrow';
import { decodeAvroFile, encodeAvroFile } from '../../etl/iceberg/avro-file.js';
import { decodeValue, encodeValue, lowerBound, upperBound } from '../../etl/iceberg/bounds.js';
import type { DataFile } from '../../etl/iceberg/manifest.js';
import { applyTransform, partitionPath, partitionValueText } from '../../etl/iceberg/partition-spec.js';
import { readDataFile } from '../../etl/iceberg/read-data-file.js';
import { TableFiles } from '../../etl/iceberg/table-files.js';
import { parseTableMetadata, serializeTableMetadata } from '../../etl/iceberg/table-metadata.js';
import { encodeParquet } from '../../etl/parquet/encode.js';
import { MemoryStore } from '../support/memory-store.js';

const bytes = (b: Uint8Array | undefined) => (b ? [...b] : undefined);

describe('bounds: binary single-value serialization', () => {
  test('ints, longs, dates and timestamps are little-endian; doubles IEEE 754; booleans one byte', () => {
    expect(bytes(encodeValue('int', 1))).toEqual([1, 0, 0, 0]);
    expect(bytes(encodeValue('int', -2))).toEqual([0xfe, 0xff, 0xff, 0xff]);
    expect(bytes(encodeValue('date', 20179))).toEqual([0xd3, 0x4e, 0, 0]);
    expect(bytes(encodeValue('long', 9_007_199_254_740_993n))).toEqual([1, 0, 0, 0, 0, 0, 0x20, 0]);
    expect(bytes(encodeValue('timestamptz', 1_743_465_600_000_000n))).toEqual([...Buffer.from(new BigInt64Array([1_743_465_600_000_000n]).buffer)]);
    expect(bytes(encodeValue('double', 1.5))).toEqual([0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
    expect(bytes(encodeValue('boolean', true))).toEqual([1]);
    expect(bytes(encodeValue('string', 'é'))).toEqual([0xc3, 0xa9]);
    expect(encodeValue('decimal(9,2)', 1)).toBeUndefined();
    for (const [type, value] of [['int', -7], ['long', -7n], ['date', 20179], ['timestamp', 5n], ['double', 2.5], ['string', 'x😀'], ['boolean', false]] as const) {
      expect(decodeValue(type, encodeValue(type, value)!)).toEqual(value);
    }
  });

  test('strings are truncated to 16 code points; the upper bound is incremented (or dropped)', () => {
    const s = 'abcdefghijklmnopqrstuvwxyz';
    expect(new TextDecoder().decode(lowerBound('string', s))).toBe('abcdefghijklmnop');
    expect(new TextDecoder().decode(upperBound('string', s))).toBe('abcdefghijklmnoq');
    expect(new TextDecoder().decode(upperBound('string', 'short'))).toBe('short');
    const emoji = '😀'.repeat(20);
    expect([...new TextDecoder().decode(lowerBound('string', emoji))]).toHaveLength(16);
    expect(new TextDecoder().decode(upperBound('string', emoji))).toBe(`${'😀'.repeat(15)}😁`);
    expect(upperBound('string', '\u{10FFFF}'.repeat(17))).toBeUndefined();
  });

  test('signed zeros and NaN: -0.0 as a lower bound, +0.0 as an upper bound, no NaN bounds', () => {
    expect(Object.is(decodeValue('double', lowerBound('double', 0)!), -0)).toBe(true);
    expect(Object.is(decodeValue('double', upperBound('double', -0)!), 0)).toBe(true);
    expect(lowerBound('double', Number.NaN)).toBeUndefined();
  });
});

test('Avro container files keep 63-bit longs, field ids and key-value metadata', () => {
  const schema = {
    type: 'record',
    name: 'r',
    fields: [
      { name: 'id', type: 'long', 'field-id': 1 },
      { name: 'day', type: ['null', { type: 'int', logicalType: 'date' }], default: null, 'field-id': 2 },
      { name: 'ts', type: { type: 'long', logicalType: 'timestamp-micros' }, 'field-id': 3 },
    ],
  };
  const records = Array.from({ length: 2500 }, (_, i) => ({ id: 9_223_372_036_854_775_807n - BigInt(i), day: i % 2 ? null : i, ts: BigInt(i) }));
  const file = encodeAvroFile(schema, records, { 'format-version': '2' });
  const back = decodeAvroFile<{ id: bigint; day: number | null; ts: bigint }>(file);
  expect(back.metadata).toEqual({ 'format-version': '2' });
  expect(back.schema).toEqual(schema);
  expect(back.records).toHaveLength(2500);
  expect(back.records[0]).toMatchObject({ id: 9_223_372_036_854_775_807n, day: 0, ts: 0n });
  expect(back.records[2499]).toMatchObject({ id: 9_223_372_036_854_775_807n - 2499n, day: null, ts: 2499n });
  expect(() => decodeAvroFile(new Uint8Array([1, 2, 3, 4, 5]))).toThrow(/not an Avro container file/);
});

test('partition transforms: identity, year, month, day and hour, with their folder forms', () => {
  const micros = BigInt(Date.UTC(2025, 3, 2, 13, 5)) * 1000n;
  const before1970 = BigInt(Date.UTC(1969, 11, 31, 23)) * 1000n;
  expect(applyTransform('day', 'timestamptz', micros)).toBe(20180);
  expect(applyTransform('day', 'timestamptz', before1970)).toBe(-1);
  expect(applyTransform('hour', 'timestamptz', before1970)).toBe(-1);
  expect(applyTransform('month', 'date', 20180)).toBe(55 * 12 + 3);
  expect(applyTransform('year', 'timestamptz', micros)).toBe(55);
  expect(applyTransform('identity', 'long', 5n)).toBe(5n);
  expect(applyTransform('day', 'timestamptz', null)).toBeNull();
  const field = (transform: string) => ({ 'source-id': 1, 'field-id': 1000, name: 'p', transform });
  expect(partitionValueText(field('day'), 'date', 20180)).toBe('2025-04-02');
  expect(partitionValueText(field('month'), 'int', 55 * 12 + 3)).toBe('2025-04');
  expect(partitionValueText(field('hour'), 'int', Number(micros / 3_600_000_000n))).toBe('2025-04-02-13');
  expect(partitionValueText(field('identity'), 'string', null)).toBe('null');
  const spec = { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'dept name', transform: 'identity' }] };
  expect(partitionPath(spec, ['string'], ['dairy & eggs/x'])).toBe('dept_20name=dairy_20_26_20eggs_2Fx');
  expect(partitionPath(spec, ['string'], ['é'])).toBe('dept_20name=_C3A9');
});

test('metadata JSON keeps 63-bit snapshot ids exact both ways, leaving summary strings alone', () => {
  const text = `{"format-version":2,"table-uuid":"u","location":"file:///t","last-updated-ms":1,"last-column-id":1,
    "current-schema-id":0,"schemas":[{"type":"struct","schema-id":0,"fields":[]}],"partition-specs":[{"spec-id":0,"fields":[]}],
    "default-spec-id":0,"last-partition-id":999,"sort-orders":[{"order-id":0,"fields":[]}],"default-sort-order-id":0,
    "last-sequence-number":1,"current-snapshot-id":9223372036854775807,
    "snapshots":[{"snapshot-id":9223372036854775807,"sequence-number":1,"timestamp-ms":1,"manifest-list":"x",
      "summary":{"operation":"append","source-snapshot-id":"7"}}]}`;
  const m = parseTableMetadata(text);
  expect(m['current-snapshot-id']).toBe(9223372036854775807n);
  expect(m.snapshots[0]!['snapshot-id']).toBe(9223372036854775807n);
  expect(m.snapshots[0]!.summary['source-snapshot-id']).toBe('7');
  expect(m.refs.main!['snapshot-id']).toBe(9223372036854775807n);
  const again = serializeTableMetadata(m);
  expect(again).toContain('"snapshot-id": 9223372036854775807');
  expect(parseTableMetadata(again).snapshots[0]!['snapshot-id']).toBe(9223372036854775807n);
  expect(serializeTableMetadata({ ...m, 'current-snapshot-id': null })).toContain('"current-snapshot-id": -1');
  expect(() => parseTableMetadata('{"format-version":3}')).toThrow(/format version 3/);
});

test('a data file without field ids is read through the name mapping', async () => {
  const store = new MemoryStore();
  const legacy = arrow.tableFromArrays({ legacy_id: Int32Array.from([7, 8]), note: Int32Array.from([1, 2]) });
  await store.put('data/old.parquet', encodeParquet(legacy));
  const files = new TableFiles(store);
  const wanted = new arrow.Schema([
    new arrow.Field('id', new arrow.Int32(), true, new Map([['PARQUET:field_id', '1']])),
    new arrow.Field('added_later', new arrow.Utf8(), true, new Map([['PARQUET:field_id', '2']])),
  ]);
  const file = { filePath: files.uriOf('data/old.parquet') } as DataFile;
  const [batch] = await readDataFile(files, file, wanted, [{ 'field-id': 1, names: ['id', 'legacy_id'] }, { 'field-id': 2, names: ['added_later'] }]);
  expect(batch!.schema.fields.map((f) => f.name)).toEqual(['id', 'added_later']);
  expect([...batch!.getChild('id')!]).toEqual([7, 8]);
  expect([...batch!.getChild('added_later')!]).toEqual([null, null]);
});
