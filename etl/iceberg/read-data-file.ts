/**
 * Reading one Iceberg data file as Arrow batches in the table schema. Columns are matched by field id
 * (Parquet field ids, seen as `PARQUET:field_id` Arrow metadata); a file written without field ids is
 * matched through the table's name mapping (`schema.name-mapping.default`), else by column name.
 * Columns the file lacks read as nulls; types are normalised (large strings, timestamp units, ...).
 */
import * as arrow from 'apache-arrow';
import { batchFromData } from '../arrow/columns.js';
import { normalizeBatch } from '../parquet/normalize.js';
import { readParquetSchema, readParquetTable } from '../parquet/reader.js';
import type { DataFile } from './manifest.js';
import { fieldIdOf, type NameMappingEntry } from './schema.js';
import type { TableFiles } from './table-files.js';

/** For each wanted column (by index), the name of the file column holding it, or undefined. */
function matchColumns(fileSchema: arrow.Schema, wanted: arrow.Schema, mapping: NameMappingEntry[] | undefined): (string | undefined)[] {
  const byId = new Map<number, string>();
  for (const f of fileSchema.fields) {
    const id = fieldIdOf(f);
    if (id !== undefined) byId.set(id, f.name);
  }
  const fileNames = new Set(fileSchema.fields.map((f) => f.name));
  return wanted.fields.map((field) => {
    const id = fieldIdOf(field);
    if (byId.size > 0) return id === undefined ? undefined : byId.get(id);
    const names = mapping?.find((m) => m['field-id'] === id)?.names ?? [field.name];
    return names.find((n) => fileNames.has(n));
  });
}

/** Read `file` as batches of exactly `wanted` (a projection of the table's Arrow schema). */
export async function readDataFile(
  files: TableFiles,
  file: DataFile,
  wanted: arrow.Schema,
  nameMapping?: NameMappingEntry[],
): Promise<arrow.RecordBatch[]> {
  const bytes = await files.read(file.filePath);
  const fileSchema = readParquetSchema(bytes);
  const sources = matchColumns(fileSchema, wanted, nameMapping);
  const present = sources.filter((s): s is string => s !== undefined);
  const table = readParquetTable(bytes, present.length ? { columns: present } : {});
  if (present.length === 0) {
    // No wanted column in the file (only columns added later): rows of nulls, as many as the file has.
    const rows = table.numRows;
    return rows === 0 ? [] : [normalizeBatch(batchFromData(new arrow.Schema([]), [], rows), wanted)];
  }
  return table.batches.map((raw) => {
    // Relabel the file's columns with the table's names, then let normalizeBatch fix types and fill gaps.
    const fields: arrow.Field[] = [];
    const children: arrow.Data[] = [];
    wanted.fields.forEach((field, i) => {
      const source = sources[i];
      if (source === undefined) return;
      const at = raw.schema.fields.findIndex((f) => f.name === source);
      const fileField = raw.schema.fields[at]!;
      fields.push(new arrow.Field(field.name, fileField.type, fileField.nullable));
      children.push(raw.data.children[at]!);
    });
    return normalizeBatch(batchFromData(new arrow.Schema(fields), children, raw.numRows), wanted);
  });
}
