/** Small pure pieces of the catalog layer: Hive types, the names a SQL text mentions, partition literals, result formatting. */
import * as arrow from 'apache-arrow';
import { UsageError } from '../../etl/errors.js';
import { mentionedNames } from '../../catalog/duckdb/table-mentions.js';
import { createViewSql, duckTypeOf, partitionLiteral } from '../../catalog/duckdb/view-sql.js';
import { arrowTypeOfHive, hiveTypeOf } from '../../catalog/glue/hive-types.js';
import { formatCsv, formatJson, formatResult, formatTable } from '../../catalog/reports/format.js';
import { mergeSchemas, tableRootOf } from '../../catalog/table-entry.js';

describe('Hive types', () => {
  test('Arrow -> Hive -> Arrow', () => {
    const cases: [arrow.DataType, string][] = [
      [new arrow.Int8(), 'tinyint'],
      [new arrow.Int16(), 'smallint'],
      [new arrow.Int32(), 'int'],
      [new arrow.Int64(), 'bigint'],
      [new arrow.Float32(), 'float'],
      [new arrow.Float64(), 'double'],
      [new arrow.Bool(), 'boolean'],
      [new arrow.Utf8(), 'string'],
      [new arrow.Binary(), 'binary'],
      [new arrow.DateDay(), 'date'],
      [new arrow.TimestampMicrosecond('UTC'), 'timestamp'],
      [new arrow.Decimal(2, 18, 128), 'decimal(18,2)'],
      [new arrow.List(new arrow.Field('element', new arrow.Int32(), true)), 'array<int>'],
      [new arrow.Struct([new arrow.Field('a', new arrow.Utf8(), true), new arrow.Field('b', new arrow.List(new arrow.Field('element', new arrow.Float64(), true)), true)]), 'struct<a:string,b:array<double>>'],
    ];
    for (const [type, hive] of cases) {
      expect(hiveTypeOf(type, 'c')).toBe(hive);
      expect(String(arrowTypeOfHive(hive, 'c'))).toBe(String(type));
    }
    expect(hiveTypeOf(new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), 'c')).toBe('string');
    expect(hiveTypeOf(new arrow.Uint32(), 'c')).toBe('bigint');
    expect(String(arrowTypeOfHive('map<string, array<bigint>>', 'c'))).toBe('Map<{key:Utf8, value:List<Int64>}>');
    expect(String(arrowTypeOfHive('varchar(20)', 'c'))).toBe('Utf8');
    expect(() => arrowTypeOfHive('array<int', 'c')).toThrow(UsageError);
    expect(() => arrowTypeOfHive('geometry', 'c')).toThrow(UsageError);
    expect(() => hiveTypeOf(new arrow.Null(), 'c')).toThrow(UsageError);
  });
});

describe('mentioned table names', () => {
  test('qualified names outside strings and comments, case-folded unless quoted', () => {
    const sql = `-- ecommerce.commented
      SELECT o.id, 'ecommerce.in_string' FROM Ecommerce.Orders AS o
      JOIN "shop"."Items@v3" i ON i.id = o.id /* x.y */ JOIN memory.db.t ON true`;
    const names = mentionedNames(sql).map((m) => `${m.database}.${m.name}`);
    expect(names).toEqual(expect.arrayContaining(['o.id', 'ecommerce.orders', 'shop.Items@v3', 'i.id', 'memory.db', 'db.t']));
    expect(names).not.toContain('ecommerce.commented');
    expect(names).not.toContain('ecommerce.in_string');
    expect(names).not.toContain('x.y');
  });
});

describe('DuckDB view SQL', () => {
  test('partition values become typed, escaped literals', () => {
    expect(partitionLiteral('2025-04-01', new arrow.Field('d', new arrow.DateDay()))).toBe("CAST('2025-04-01' AS DATE)");
    expect(partitionLiteral("O'Hare", new arrow.Field('c', new arrow.Utf8()))).toBe("CAST('O''Hare' AS VARCHAR)");
    expect(partitionLiteral(null, new arrow.Field('n', new arrow.Int64()))).toBe('CAST(NULL AS BIGINT)');
    expect(partitionLiteral('2025-04-01 10:00:00.000000', new arrow.Field('t', new arrow.TimestampMicrosecond('UTC')))).toBe(
      "CAST('2025-04-01 10:00:00.000000+00' AS TIMESTAMPTZ)",
    );
    expect(duckTypeOf(new arrow.Decimal(2, 10, 128), 'p')).toBe('DECIMAL(10,2)');
  });

  test('one read_parquet per partition, a typed anchor, casts in schema order', () => {
    const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32()), new arrow.Field('d', new arrow.DateDay())]);
    const sql = createViewSql('"s"."t"', schema, ['d'], false, [
      { paths: ["/w/d=1/a'.parquet", '/w/d=1/b.parquet'], partitionValues: { d: '2025-04-01' } },
      { paths: ['/w/d=2/c.parquet'], partitionValues: { d: '2025-04-02' } },
    ]);
    expect(sql).toContain('CREATE OR REPLACE VIEW "s"."t" AS');
    expect(sql).toContain('SELECT CAST(NULL AS INTEGER) AS "id", CAST(NULL AS DATE) AS "d" WHERE false');
    expect(sql).toContain(
      "SELECT *, CAST('2025-04-01' AS DATE) AS \"d\" FROM read_parquet(['/w/d=1/a''.parquet', '/w/d=1/b.parquet'], union_by_name = true, hive_partitioning = false)",
    );
    expect(sql.match(/read_parquet/g)).toHaveLength(2);
    expect(sql).toContain('SELECT CAST("id" AS INTEGER) AS "id", CAST("d" AS DATE) AS "d"');
  });
});

describe('catalog entry rules', () => {
  test('schemas merge without losing columns', () => {
    const a = new arrow.Schema([new arrow.Field('x', new arrow.Int32()), new arrow.Field('y', new arrow.Utf8())]);
    const b = new arrow.Schema([new arrow.Field('z', new arrow.Utf8()), new arrow.Field('x', new arrow.Int64())]);
    expect(mergeSchemas(a, b).fields.map((f) => `${f.name}:${f.type}`)).toEqual(['x:Int64', 'y:Utf8', 'z:Utf8']);
  });

  test('the table root of a metadata file', () => {
    expect(tableRootOf('s3://b/wh/t/metadata/00001-x.metadata.json')).toBe('s3://b/wh/t');
    expect(tableRootOf('file:///tmp/t/v1.metadata.json')).toBe('file:///tmp/t');
  });
});

describe('result formatting', () => {
  const result = {
    columns: [
      { name: 'date', type: 'date' },
      { name: 'orders', type: 'bigint' },
      { name: 'revenue', type: 'double' },
      { name: 'note', type: 'varchar' },
      { name: 'at', type: 'timestamp' },
    ],
    rows: [
      { date: '2025-04-01', orders: 500, revenue: 130123.45, note: 'a, "quoted"\nline', at: new Date('2025-04-01T10:00:00Z') },
      { date: '2025-04-02', orders: 2n ** 60n, revenue: Number.NaN, note: null, at: null },
    ],
  };

  test('table: aligned columns, numbers right-aligned, a row count', () => {
    const lines = formatTable({ ...result, rows: [result.rows[0]!, { ...result.rows[1]!, note: 'b' }] }).split('\n');
    expect(lines[0]).toMatch(/^date {21}orders {4}revenue {2}note/);
    expect(lines[1]).toMatch(/^-{10} {2}-{19} {2}-{9}/);
    expect(lines[2]).toMatch(/^2025-04-01 {18}500 {2}130123\.45 {2}a, "quoted"\\nline/);
    expect(lines[3]).toContain('1152921504606846976');
    expect(lines.at(-2)).toBe('(2 rows)');
  });

  test('json: one array of row objects, bigints beyond 2^53 and NaN as strings, Dates as ISO', () => {
    expect(JSON.parse(formatJson(result))).toEqual([
      { date: '2025-04-01', orders: 500, revenue: 130123.45, note: 'a, "quoted"\nline', at: '2025-04-01T10:00:00.000Z' },
      { date: '2025-04-02', orders: '1152921504606846976', revenue: 'NaN', note: null, at: null },
    ]);
  });

  test('csv: header, RFC 4180 quoting, empty for null', () => {
    expect(formatCsv(result)).toBe(
      'date,orders,revenue,note,at\r\n2025-04-01,500,130123.45,"a, ""quoted""\nline",2025-04-01T10:00:00.000Z\r\n2025-04-02,1152921504606846976,NaN,,\r\n',
    );
    expect(() => formatResult(result, 'xml' as never)).toThrow(UsageError);
  });
});
