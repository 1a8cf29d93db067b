/**
 * Splits a stream of batches by partition and writes each partition's rows into Parquet files under
 * Hive-style folders, within a memory budget; returns the `add` actions for the new files.
 */
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { systemClock, type Clock } from '../clock.js';
import { projectBatch } from '../arrow/columns.js';
import { selectRows } from '../arrow/take.js';
import type { ParquetWriteOptions } from '../parquet/types.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { AddAction } from './actions.js';
import { conformBatch } from '../table/conform.js';
import { PartitionedParquetWriter, type PartitionFile } from '../table/partitioned-writer.js';
import { groupRows } from '../table/split-rows.js';
import { encodeLogPath, partitionFolder, partitionId, partitionString } from './partitions.js';
import { deltaStatsJson } from './stats.js';

/** Options of the data writer. */
export interface WriteFilesOptions extends ParquetWriteOptions {
  /** Bytes held across all open partitions before the largest is handed to the encoder or flushed (default 64 MiB). */
  memoryBudget?: number;
  /** Clock for modificationTime. */
  clock?: Clock;
  /** dataChange of the new files (false for optimize). */
  dataChange?: boolean;
}

/** The files a write produced. */
export interface WrittenData {
  /** One add action per file. */
  adds: AddAction[];
  /** Rows written. */
  rows: number;
  /** Bytes written. */
  bytes: number;
}

/** Write `batches` (already in the table schema) as data files of a table rooted at `store`. */
export async function writeDataFiles(
  store: ObjectStore,
  schema: arrow.Schema,
  partitionColumns: string[],
  batches: AsyncIterable<arrow.RecordBatch>,
  options: WriteFilesOptions = {},
): Promise<WrittenData> {
  const partitionSet = new Set(partitionColumns);
  const dataSchema = new arrow.Schema(schema.fields.filter((f) => !partitionSet.has(f.name)));
  const writer = new PartitionedParquetWriter(store, dataSchema, dataFileNamer(partitionColumns, options), options);
  let rows = 0;
  try {
    for await (const raw of batches) {
      if (raw.numRows === 0) continue;
      const batch = conformBatch(raw, schema);
      rows += batch.numRows;
      // Partition columns are dropped before rows are copied out (the files do not hold them).
      const data = projectBatch(batch, dataSchema);
      for (const group of partitionGroups(batch, partitionColumns)) {
        await writer.write(group.id, group.values, group.rows === undefined ? data : selectRows(data, group.rows));
      }
    }
  } catch (err) {
    await deleteFiles(store, await writer.abandon());
    throw err;
  }
  const adds = addActionsFor(await writer.close(), dataSchema, options);
  return { adds, rows, bytes: adds.reduce((n, a) => n + a.size, 0) };
}

/** Names the files of one partition of a table (Hive-style folder, sequence number, UUID, codec). */
export function dataFileNamer(partitionColumns: string[], options: ParquetWriteOptions): (values: Record<string, string | null>) => () => string {
  const codecSuffix = options.codec && options.codec !== 'uncompressed' ? `.${options.codec}` : options.codec ? '' : '.zstd';
  let counter = 0;
  return (values) => {
    const folder = partitionFolder(partitionColumns, values);
    return () => `${folder ? `${folder}/` : ''}part-${String(counter++).padStart(5, '0')}-${randomUUID()}-c000${codecSuffix}.parquet`;
  };
}

/** The add actions of written files (`dataSchema`: the table schema without partition columns). */
export function addActionsFor(written: PartitionFile<Record<string, string | null>>[], dataSchema: arrow.Schema, options: Pick<WriteFilesOptions, 'clock' | 'dataChange'>): AddAction[] {
  const now = (options.clock ?? systemClock).now();
  return written.map(({ file, partition }) => ({
    path: encodeLogPath(file.key),
    partitionValues: partition,
    size: file.size,
    modificationTime: now,
    dataChange: options.dataChange ?? true,
    stats: deltaStatsJson(file.numRecords, file.stats, dataSchema),
  }));
}

/** Deletes uncommitted data files (best effort: what is left is an orphan for vacuum). */
export async function deleteFiles(store: ObjectStore, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((k) => store.delete(k).catch(() => undefined)));
}

/** The rows of a batch that belong to one partition (see `partitionGroups`). */
export interface PartitionGroup {
  /** The partition values, formatted as in the log (null for a null value). */
  values: Record<string, string | null>;
  /** The partition's id (see `partitionId`). */
  id: string;
  /** The group's rows, ascending; undefined when the whole batch is one partition. */
  rows: Uint32Array | undefined;
}

/** Group the rows of a batch by their partition values (each distinct raw value is formatted once). */
export function partitionGroups(batch: arrow.RecordBatch, partitionColumns: string[]): PartitionGroup[] {
  if (partitionColumns.length === 0) return batch.numRows === 0 ? [] : [{ values: {}, id: partitionId([], {}), rows: undefined }];
  const columns = partitionColumns.map((name) => {
    const data = batch.data.children[batch.schema.fields.findIndex((f) => f.name === name)]!;
    return { name, type: data.type, vector: new arrow.Vector([data]) };
  });
  return groupRows(batch, partitionColumns, (i) => {
    const values: Record<string, string | null> = {};
    for (const c of columns) values[c.name] = partitionString(c.vector.get(i), c.type);
    const id = partitionId(partitionColumns, values);
    return { id, value: { values, id } };
  }).map((g) => ({ ...g.value, rows: g.rows }));
}
