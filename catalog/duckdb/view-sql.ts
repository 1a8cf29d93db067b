/**
 * The SQL of the DuckDB view over one table snapshot. Files are grouped by partition; each group is
 * one `read_parquet([...])` with the partition values added as typed literal columns (Delta files do
 * not hold their partition columns). The groups and a typed, empty anchor row set are combined with
 * `UNION ALL BY NAME`, so a table with no files is still a typed (empty) view and a column that
 * older files lack reads as NULL; the outer SELECT casts every column to the table's type, in
 * schema order.
 */
import * as arrow from 'apache-arrow';
import { UsageError } from '../../etl/errors.js';
import { quoteIdentifier } from '../names.js';

/** Files of one partition, as local paths. */
export interface FileGroup {
  /** Local paths of the Parquet files. */
  paths: string[];
  /** Partition column -> value string (Delta form), or empty when the files hold the partition columns. */
  partitionValues: Record<string, string | null>;
}

/** The DuckDB type of an Arrow type. Throws `UsageError` for types DuckDB cannot represent. */
export function duckTypeOf(type: arrow.DataType, column: string): string {
  if (arrow.DataType.isDictionary(type)) return duckTypeOf(type.dictionary, column);
  if (arrow.DataType.isInt(type)) {
    const base = ({ 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' } as const)[type.bitWidth];
    return type.isSigned ? base : `U${base}`;
  }
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.DOUBLE ? 'DOUBLE' : 'FLOAT';
  if (arrow.DataType.isBool(type)) return 'BOOLEAN';
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'VARCHAR';
  if (arrow.DataType.isBinary(type) || arrow.DataType.isLargeBinary(type)) return 'BLOB';
  if (arrow.DataType.isDate(type)) return 'DATE';
  if (arrow.DataType.isTimestamp(type)) return type.timezone ? 'TIMESTAMPTZ' : 'TIMESTAMP';
  if (arrow.DataType.isDecimal(type)) return `DECIMAL(${type.precision},${type.scale})`;
  if (arrow.DataType.isList(type)) return `${duckTypeOf(type.children[0]!.type, column)}[]`;
  if (arrow.DataType.isStruct(type)) {
    return `STRUCT(${type.children.map((f) => `${quoteIdentifier(f.name)} ${duckTypeOf(f.type, column)}`).join(', ')})`;
  }
  if (arrow.DataType.isMap(type)) {
    const [k, v] = type.children[0]!.type.children as [arrow.Field, arrow.Field];
    return `MAP(${duckTypeOf(k.type, column)}, ${duckTypeOf(v.type, column)})`;
  }
  throw new UsageError(`column ${column}: Arrow type ${String(type)} has no DuckDB equivalent`);
}

/** A SQL string literal (`'` doubled). */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The typed literal of a partition value string. */
export function partitionLiteral(value: string | null, field: arrow.Field): string {
  const type = duckTypeOf(field.type, field.name);
  if (value === null) return `CAST(NULL AS ${type})`;
  // Delta writes timestamp partition values in UTC without an offset; say so, whatever the session time zone.
  const text = type === 'TIMESTAMPTZ' && !/(Z|[+-]\d{2}(:?\d{2})?)$/.test(value) ? `${value}+00` : value;
  return `CAST(${sqlString(text)} AS ${type})`;
}

/** Group files by their partition values (one group per distinct combination, in first-seen order). */
export function groupByPartition<F extends { partitionValues: Record<string, string | null> }>(
  files: F[],
  partitionColumns: string[],
): { partitionValues: Record<string, string | null>; files: F[] }[] {
  const groups = new Map<string, { partitionValues: Record<string, string | null>; files: F[] }>();
  for (const file of files) {
    const id = JSON.stringify(partitionColumns.map((c) => file.partitionValues[c] ?? null));
    let group = groups.get(id);
    if (!group) {
      group = { partitionValues: file.partitionValues, files: [] };
      groups.set(id, group);
    }
    group.files.push(file);
  }
  return [...groups.values()];
}

/**
 * `CREATE OR REPLACE VIEW <name> AS ...` over `groups` in `schema`. `partitionColumnsInFiles`
 * says the files hold the partition columns (no literals are added).
 */
export function createViewSql(
  name: string,
  schema: arrow.Schema,
  partitionColumns: string[],
  partitionColumnsInFiles: boolean,
  groups: FileGroup[],
): string {
  if (schema.fields.length === 0) throw new UsageError(`${name} has no columns to expose`);
  const byName = new Map(schema.fields.map((f) => [f.name, f]));
  const anchor = `SELECT ${schema.fields.map((f) => `CAST(NULL AS ${duckTypeOf(f.type, f.name)}) AS ${quoteIdentifier(f.name)}`).join(', ')} WHERE false`;
  const branches = groups
    .filter((g) => g.paths.length > 0)
    .map((g) => {
      const literals = partitionColumnsInFiles
        ? []
        : partitionColumns.map((c) => `${partitionLiteral(g.partitionValues[c] ?? null, byName.get(c)!)} AS ${quoteIdentifier(c)}`);
      const files = `[${g.paths.map(sqlString).join(', ')}]`;
      return `SELECT *${literals.map((l) => `, ${l}`).join('')} FROM read_parquet(${files}, union_by_name = true, hive_partitioning = false)`;
    });
  const columns = schema.fields.map((f) => `CAST(${quoteIdentifier(f.name)} AS ${duckTypeOf(f.type, f.name)}) AS ${quoteIdentifier(f.name)}`);
  const union = [anchor, ...branches].join('\n  UNION ALL BY NAME\n  ');
  return `CREATE OR REPLACE VIEW ${name} AS\nSELECT ${columns.join(', ')}\nFROM (\n  ${union}\n) AS snapshot_files`;
}
