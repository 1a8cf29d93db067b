/** Pure pieces of the Delta format: partition values and paths, stats JSON, schema strings, actions, predicates. */
import * as arrow from 'apache-arrow';
import { commitFileName, parseActions, serializeActions } from '../../etl/delta/actions.js';
import { CorruptLogError } from '../../etl/delta/errors.js';
import { decodeLogPath, encodeLogPath, escapePartitionValue, formatTimestampPartition, partitionFolder, partitionString, partitionValueOf } from '../../etl/delta/partitions.js';
import { fromSchemaString, toSchemaString } from '../../etl/delta/schema.js';
import { deltaStatsJson, formatTimestampStat } from '../../etl/delta/stats.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../etl/delta/checkpoint.js';
import { compilePredicate } from '../../etl/predicate.js';

describe('partition values', () => {
  test('dates, timestamps, ints, booleans and null', () => {
    const day = Date.UTC(2025, 3, 1);
    expect(partitionString(day, new arrow.DateDay())).toBe('2025-04-01');
    expect(partitionString(day + 1.5, new arrow.TimestampMicrosecond('UTC'))).toBe('2025-04-01 00:00:00.001500');
    expect(formatTimestampPartition(-1n)).toBe('1969-12-31 23:59:59.999999');
    expect(partitionString(42, new arrow.Int32())).toBe('42');
    expect(partitionString(true, new arrow.Bool())).toBe('true');
    expect(partitionString(null, new arrow.Utf8())).toBeNull();
    expect(partitionString('', new arrow.Utf8())).toBeNull(); // Spark's rule: empty string is the null partition
    expect(partitionValueOf('2025-04-01', new arrow.DateDay())).toBe(day);
    expect(partitionValueOf('12', new arrow.Int64())).toBe(12n);
    expect(partitionValueOf(null, new arrow.Int32())).toBeNull();
  });

  test('Hive folder escaping and URI-encoded log paths round trip', () => {
    expect(escapePartitionValue(null)).toBe('__HIVE_DEFAULT_PARTITION__');
    expect(escapePartitionValue('a/b=c:d%')).toBe('a%2Fb%3Dc%3Ad%25');
    expect(partitionFolder(['date', 'region'], { date: '2025-04-01', region: null })).toBe('date=2025-04-01/region=__HIVE_DEFAULT_PARTITION__');
    const key = `${partitionFolder(['dept'], { dept: 'dairy eggs/x' })}/part-00000.parquet`;
    expect(key).toBe('dept=dairy eggs%2Fx/part-00000.parquet');
    const logPath = encodeLogPath(key);
    expect(logPath).toBe('dept=dairy%20eggs%252Fx/part-00000.parquet');
    expect(decodeLogPath(logPath)).toBe(key);
    expect(decodeLogPath('s3://bucket/abs%20path.parquet')).toBe('s3://bucket/abs%20path.parquet');
  });
});

describe('stats', () => {
  test('JSON min/max/nullCount by type; long strings keep a min prefix and drop the max', () => {
    const schema = new arrow.Schema([
      new arrow.Field('d', new arrow.DateDay()),
      new arrow.Field('t', new arrow.TimestampMicrosecond('UTC')),
      new arrow.Field('n', new arrow.Int64()),
      new arrow.Field('s', new arrow.Utf8()),
    ]);
    const long = 'x'.repeat(40);
    const json = JSON.parse(
      deltaStatsJson(
        3,
        {
          d: { nullCount: 0, min: 20179, max: 20180 },
          t: { nullCount: 1, min: 1_743_465_600_000_000n, max: 1_743_465_600_000_123n },
          n: { nullCount: 0, min: 5n, max: 9n },
          s: { nullCount: 2, min: long, max: long },
        },
        schema,
      ),
    );
    expect(json).toEqual({
      numRecords: 3,
      minValues: { d: '2025-04-01', t: '2025-04-01T00:00:00.000Z', n: 5, s: 'x'.repeat(32) },
      maxValues: { d: '2025-04-02', t: '2025-04-01T00:00:00.000123Z', n: 9 },
      nullCount: { d: 0, t: 1, n: 0, s: 2 },
    });
    expect(formatTimestampStat(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });
});

describe('schema strings', () => {
  test('Arrow -> Spark JSON -> Arrow keeps names, types and nullability', () => {
    const schema = new arrow.Schema([
      new arrow.Field('a', new arrow.Int32(), false),
      new arrow.Field('b', new arrow.Int64(), true),
      new arrow.Field('c', new arrow.Float64(), true),
      new arrow.Field('d', new arrow.Utf8(), true),
      new arrow.Field('e', new arrow.DateDay(), true),
      new arrow.Field('f', new arrow.TimestampMicrosecond('UTC'), true),
      new arrow.Field('g', new arrow.Bool(), true),
      new arrow.Field('h', new arrow.Decimal(2, 18, 128), true),
    ]);
    const json = JSON.parse(toSchemaString(schema));
    expect(json.fields.map((f: { type: string }) => f.type)).toEqual(['integer', 'long', 'double', 'string', 'date', 'timestamp', 'boolean', 'decimal(18,2)']);
    const back = fromSchemaString(toSchemaString(schema));
    expect(back.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual(schema.fields.map((f) => [f.name, String(f.type), f.nullable]));
  });
});

describe('actions', () => {
  test('commit files are 20-digit versions; lines round trip; unknown actions are kept; bad JSON names the line', () => {
    expect(commitFileName(12)).toBe('00000000000000000012.json');
    const bytes = serializeActions([{ txn: { appId: 'a', version: 3 } }, { other: { domainMetadata: { domain: 'x' } } }]);
    const parsed = parseActions(bytes, 'v.json');
    expect(parsed).toEqual([{ txn: { appId: 'a', version: 3 } }, { other: { domainMetadata: { domain: 'x' } } }]);
    expect(() => parseActions(new TextEncoder().encode('{"txn":{}}\n{oops'), 'v.json')).toThrow(CorruptLogError);
    expect(() => parseActions(new TextEncoder().encode('{"txn":{}}\n{oops'), 'v.json')).toThrow('v.json:2');
  });

  test('a checkpoint encodes and decodes every action kind, null partition values included', () => {
    const actions = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      { metaData: { id: 'id-1', format: { provider: 'parquet', options: {} }, schemaString: '{"type":"struct","fields":[]}', partitionColumns: ['date'], configuration: { 'delta.checkpointInterval': '10' }, createdTime: 5 } },
      { txn: { appId: 'app', version: 7, lastUpdated: 9 } },
      { add: { path: 'date=2025-04-01/a.parquet', partitionValues: { date: '2025-04-01' }, size: 10, modificationTime: 11, dataChange: true, stats: '{"numRecords":1}' } },
      { add: { path: 'date=__HIVE_DEFAULT_PARTITION__/b.parquet', partitionValues: { date: null }, size: 12, modificationTime: 13, dataChange: true } },
      { remove: { path: 'c.parquet', deletionTimestamp: 14, dataChange: true, extendedFileMetadata: true, partitionValues: { date: '2025-04-02' }, size: 3 } },
    ] as const;
    const decoded = decodeCheckpoint(encodeCheckpoint(actions as never));
    const byKind = (k: string) => decoded.filter((a) => k in a);
    expect(byKind('protocol')).toEqual([{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }]);
    expect(byKind('txn')).toEqual([{ txn: { appId: 'app', version: 7, lastUpdated: 9 } }]);
    expect(byKind('metaData')[0]).toMatchObject({ metaData: { id: 'id-1', partitionColumns: ['date'], configuration: { 'delta.checkpointInterval': '10' } } });
    expect(byKind('add')).toEqual([
      { add: { path: 'date=2025-04-01/a.parquet', partitionValues: { date: '2025-04-01' }, size: 10, modificationTime: 11, dataChange: false, stats: '{"numRecords":1}' } },
      { add: { path: 'date=__HIVE_DEFAULT_PARTITION__/b.parquet', partitionValues: { date: null }, size: 12, modificationTime: 13, dataChange: false } },
    ]);
    expect(byKind('remove')[0]).toMatchObject({ remove: { path: 'c.parquet', deletionTimestamp: 14, size: 3, partitionValues: { date: '2025-04-02' } } });
  });
});

describe('predicates', () => {
  const schema = new arrow.Schema([
    new arrow.Field('date', new arrow.DateDay()),
    new arrow.Field('id', new arrow.Int32()),
    new arrow.Field('ts', new arrow.TimestampMicrosecond('UTC')),
  ]);
  test('compare partition strings and row values of the same column alike', () => {
    const p = compilePredicate({ and: [{ column: 'date', op: '>=', value: '2025-04-02' }, { not: { column: 'id', op: 'in', values: [1, 2] } }] }, schema);
    expect(p((c) => ({ date: '2025-04-02', id: '3' })[c])).toBe(true);
    expect(p((c) => ({ date: Date.UTC(2025, 3, 3), id: 3 })[c])).toBe(true);
    expect(p((c) => ({ date: '2025-04-01', id: 3 })[c])).toBe(false);
    expect(p((c) => ({ date: '2025-04-05', id: 2 })[c])).toBe(false);
    const t = compilePredicate({ column: 'ts', op: '<', value: '2025-04-01 00:00:00.000002' }, schema);
    expect(t((c) => ({ ts: Date.UTC(2025, 3, 1) + 0.001 })[c])).toBe(true);
    expect(t((c) => ({ ts: Date.UTC(2025, 3, 1) + 0.002 })[c])).toBe(false);
    expect(compilePredicate({ column: 'id', op: 'is null' }, schema)(() => null)).toBe(true);
    expect(() => compilePredicate({ column: 'nope', op: '=', value: 1 }, schema)).toThrow(/unknown column nope/);
  });
});
