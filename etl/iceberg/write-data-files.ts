/**
 * Writing rows as Iceberg data files: batches are conformed to the table schema, split by partition
 * tuple (transforms applied), and written as Parquet files under `data/<partition folder>/` carrying
 * every column (partition source columns included) with its field id. Each file becomes a `DataFile`
 * with record count, size, column sizes, value and null counts, and lower/upper bounds. When the input
 * (or a file) fails, the files written so far are deleted before the error propagates.
 */
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import type { ColumnStats, ParquetWriteOptions, WrittenFile } from '../parquet/types.js';
import { conformBatch } from '../table/conform.js';
import { PartitionedParquetWriter } from '../table/partitioned-writer.js';
import { splitRows } from '../table/split-rows.js';
import { lowerBound, upperBound } from './bounds.js';
import type { DataFile } from './manifest.js';
import { partitionTypes } from './manifest.js';
import { applyTransform, partitionKey, partitionPath, type PartitionSpec, type PartitionValue } from './partition-spec.js';
import { fieldById, type IcebergSchema } from './schema.js';
import type { TableFiles } from './table-files.js';

/** Options of the data file writer. */
export interface WriteFilesOptions extends ParquetWriteOptions {
  /** Bytes held across all open partitions before the largest is handed to the encoder or flushed (default 64 MiB). */
  memoryBudget?: number;
}

/** What a write produced. */
export interface WrittenDataFiles {
  /** One entry per file. */
  files: DataFile[];
  /** Rows written. */
  rows: number;
  /** Bytes written. */
  bytes: number;
}

/** What the writer needs to know of the table. */
export interface DataFileTarget {
  /** The table's files. */
  files: TableFiles;
  /** The table schema. */
  schema: IcebergSchema;
  /** Its Arrow form (field ids as metadata). */
  arrowSchema: arrow.Schema;
  /** The spec to partition by. */
  spec: PartitionSpec;
}

/** A reader of one column's values in raw partition form (days, bigint µs, bigint longs, numbers, strings, booleans). */
export function rawColumnReader(data: arrow.Data, type: string): (i: number) => PartitionValue {
  const valid = (i: number) => data.nullCount === 0 || data.getValid(i);
  // Arrow slices a fixed-width values buffer together with the Data: no offset to add (unlike bitmaps).
  switch (type) {
    case 'int':
    case 'date': {
      const values = data.values as Int32Array;
      return (i) => (valid(i) ? values[i]! : null);
    }
    case 'long':
    case 'timestamp':
    case 'timestamptz': {
      const values = data.values as unknown as BigInt64Array;
      return (i) => (valid(i) ? values[i]! : null);
    }
    default: {
      const vector = new arrow.Vector([data]);
      return (i) => {
        const v = vector.get(i) as unknown;
        return v === null || v === undefined ? null : (v as PartitionValue);
      };
    }
  }
}

/** The metrics of a written file, by field id. */
export function fileMetrics(file: WrittenFile, schema: IcebergSchema): Pick<DataFile, 'columnSizes' | 'valueCounts' | 'nullValueCounts' | 'lowerBounds' | 'upperBounds'> {
  const columnSizes: Record<number, number> = {};
  const valueCounts: Record<number, number> = {};
  const nullValueCounts: Record<number, number> = {};
  const lowerBounds: Record<number, Uint8Array> = {};
  const upperBounds: Record<number, Uint8Array> = {};
  for (const field of schema.fields) {
    const type = typeof field.type === 'string' ? field.type : '';
    const size = file.columnSizes?.[field.name];
    if (size !== undefined) columnSizes[field.id] = size;
    const stats: ColumnStats | undefined = file.stats[field.name];
    valueCounts[field.id] = file.numRecords;
    if (!stats) continue;
    nullValueCounts[field.id] = stats.nullCount;
    if (stats.min !== undefined) {
      const lo = lowerBound(type, stats.min);
      if (lo) lowerBounds[field.id] = lo;
    }
    if (stats.max !== undefined) {
      const hi = upperBound(type, stats.max);
      if (hi) upperBounds[field.id] = hi;
    }
  }
  return { columnSizes, valueCounts, nullValueCounts, lowerBounds, upperBounds };
}

/** Write `batches` as data files of the table (partitioned by `target.spec`). */
export async function writeDataFiles(target: DataFileTarget, batches: AsyncIterable<arrow.RecordBatch>, options: WriteFilesOptions = {}): Promise<WrittenDataFiles> {
  const { schema, spec, arrowSchema } = target;
  const types = partitionTypes(spec, schema);
  const sources = spec.fields.map((f) => fieldById(schema, f['source-id'])!);
  const keyColumns = [...new Set(sources.map((s) => s.name))];
  let counter = 0;
  const run = randomUUID();
  const keyFactory = (values: PartitionValue[]) => {
    const folder = partitionPath(spec, types, values);
    return () => `data/${folder ? `${folder}/` : ''}${String(counter++).padStart(5, '0')}-${run}-${randomUUID()}.parquet`;
  };
  const writer = new PartitionedParquetWriter(target.files.store, arrowSchema, keyFactory, options);
  let rows = 0;
  let written;
  try {
    for await (const raw of batches) {
      if (raw.numRows === 0) continue;
      const batch = conformBatch(raw, arrowSchema);
      rows += batch.numRows;
      const readers = sources.map((s) => rawColumnReader(batch.getChild(s.name)!.data[0]!, s.type as string));
      const parts = splitRows(batch, keyColumns, (i) => {
        const values = spec.fields.map((f, j) => applyTransform(f.transform, sources[j]!.type as string, readers[j]!(i)));
        return { id: partitionKey(spec['spec-id'], values), value: values };
      });
      for (const [values, part] of parts) await writer.write(partitionKey(spec['spec-id'], values), values, part);
    }
    written = await writer.close();
  } catch (err) {
    // The input failed (or a file did): the files written so far are referenced by nothing, delete them.
    const keys = await writer.abandon();
    await Promise.all(keys.map((k) => target.files.store.delete(k).catch(() => undefined)));
    throw err;
  }
  const files = written.map(({ file, partition }) => ({
    content: 0,
    filePath: target.files.uriOf(file.key),
    fileFormat: 'PARQUET',
    specId: spec['spec-id'],
    partition,
    recordCount: file.numRecords,
    fileSizeInBytes: file.size,
    ...fileMetrics(file, schema),
    sortOrderId: 0,
  }));
  return { files, rows, bytes: files.reduce((n, f) => n + f.fileSizeInBytes, 0) };
}
