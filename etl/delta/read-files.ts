/** Reading a snapshot's data files back as Arrow batches, with partition columns restored. */
import * as arrow from 'apache-arrow';
import { batchFromData, constantData } from '../arrow/columns.js';
import { readParquetTable } from '../parquet/reader.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { AddAction } from './actions.js';
import { conformBatch } from '../table/conform.js';
import { decodeLogPath, partitionValueOf } from './partitions.js';

/** The store key (relative to the table root) of an add action. */
export function fileKey(add: { path: string }): string {
  return decodeLogPath(add.path);
}

/** Read one data file as batches in `schema` (partition columns filled from the add action). */
export async function readDataFile(
  store: ObjectStore,
  add: AddAction,
  schema: arrow.Schema,
  partitionColumns: string[],
  columns?: string[],
): Promise<arrow.RecordBatch[]> {
  const wanted = columns ? new arrow.Schema(schema.fields.filter((f) => columns.includes(f.name))) : schema;
  const partitionSet = new Set(partitionColumns);
  const fileFields = wanted.fields.filter((f) => !partitionSet.has(f.name));
  const fileSchema = new arrow.Schema(fileFields);
  const bytes = await store.get(fileKey(add));
  const table = readParquetTable(bytes, fileFields.length ? { columns: fileFields.map((f) => f.name) } : {});
  const batches = table.batches.length ? table.batches : [];
  return batches.map((raw) => {
    const conformed = fileFields.length ? conformBatch(raw, fileSchema, { ignoreExtra: true }) : undefined;
    const children = wanted.fields.map((field) => {
      if (partitionSet.has(field.name)) {
        return constantData(field.type, partitionValueOf(add.partitionValues[field.name] ?? null, field.type), raw.numRows);
      }
      return conformed!.data.children[fileFields.findIndex((f) => f.name === field.name)]!;
    });
    return batchFromData(wanted, children, raw.numRows);
  });
}
