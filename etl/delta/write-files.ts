/**
 * Splits a stream of batches by partition and writes each partition's rows into Parquet files under
 * Hive-style folders, within a memory budget; returns the `add` actions for the new files.
 */
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { systemClock, type Clock } from '../clock.js';
import { takeRows } from '../arrow/take.js';
import { batchFromData } from '../arrow/columns.js';
import { ParquetFileWriter } from '../parquet/writer.js';
import type { ParquetWriteOptions, WrittenFile } from '../parquet/types.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { AddAction } from './actions.js';
import { conformBatch } from './conform.js';
import { encodeLogPath, partitionFolder, partitionId, partitionString } from './partitions.js';
import { deltaStatsJson } from './stats.js';

/** Options of the data writer. */
export interface WriteFilesOptions extends ParquetWriteOptions {
  /** Buffered bytes across all open partitions before the largest is flushed (default 256 MiB). */
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

interface PartitionWriter {
  values: Record<string, string | null>;
  writer: ParquetFileWriter;
}

/** Write `batches` (already in the table schema) as data files of a table rooted at `store`. */
export async function writeDataFiles(
  store: ObjectStore,
  schema: arrow.Schema,
  partitionColumns: string[],
  batches: AsyncIterable<arrow.RecordBatch>,
  options: WriteFilesOptions = {},
): Promise<WrittenData> {
  const clock = options.clock ?? systemClock;
  const budget = options.memoryBudget ?? 256 * 1024 * 1024;
  const partitionSet = new Set(partitionColumns);
  const dataSchema = new arrow.Schema(schema.fields.filter((f) => !partitionSet.has(f.name)));
  const codecSuffix = options.codec && options.codec !== 'uncompressed' ? `.${options.codec}` : options.codec ? '' : '.zstd';
  const writers = new Map<string, PartitionWriter>();
  const written: { file: WrittenFile; values: Record<string, string | null> }[] = [];
  let counter = 0;
  let rows = 0;

  const writerFor = (values: Record<string, string | null>): PartitionWriter => {
    const id = partitionId(partitionColumns, values);
    let pw = writers.get(id);
    if (!pw) {
      const folder = partitionFolder(partitionColumns, values);
      const nextKey = () => `${folder ? `${folder}/` : ''}part-${String(counter++).padStart(5, '0')}-${randomUUID()}-c000${codecSuffix}.parquet`;
      pw = { values, writer: new ParquetFileWriter(store, dataSchema, nextKey, options) };
      writers.set(id, pw);
    }
    return pw;
  };

  const collect = (pw: PartitionWriter, files: (WrittenFile | undefined)[] | WrittenFile[]) => {
    for (const file of files) if (file) written.push({ file, values: pw.values });
  };

  const enforceBudget = async () => {
    let total = 0;
    for (const pw of writers.values()) total += pw.writer.bufferedBytes;
    while (total > budget) {
      let largest: PartitionWriter | undefined;
      for (const pw of writers.values()) if (!largest || pw.writer.bufferedBytes > largest.writer.bufferedBytes) largest = pw;
      if (!largest || largest.writer.bufferedBytes === 0) break;
      total -= largest.writer.bufferedBytes;
      collect(largest, [await largest.writer.flush()]);
    }
  };

  for await (const raw of batches) {
    if (raw.numRows === 0) continue;
    const batch = conformBatch(raw, schema);
    rows += batch.numRows;
    for (const [values, part] of splitByPartition(batch, partitionColumns)) {
      const dataPart = projectBatch(part, dataSchema);
      await writerFor(values).writer.write(dataPart);
    }
    await enforceBudget();
  }
  for (const pw of writers.values()) collect(pw, await pw.writer.close());

  const now = clock.now();
  const adds = written.map(({ file, values }) => ({
    path: encodeLogPath(file.key),
    partitionValues: values,
    size: file.size,
    modificationTime: now,
    dataChange: options.dataChange ?? true,
    stats: deltaStatsJson(file.numRecords, file.stats, dataSchema),
  }));
  return { adds, rows, bytes: adds.reduce((n, a) => n + a.size, 0) };
}

/** The batch restricted to the fields of `schema` (by name, zero-copy). */
export function projectBatch(batch: arrow.RecordBatch, schema: arrow.Schema): arrow.RecordBatch {
  if (schema.fields.length === batch.schema.fields.length) return batch;
  // Not RecordBatch.select: it loses the data of some columns (seen with apache-arrow 21).
  const index = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  return batchFromData(schema, schema.fields.map((f) => batch.data.children[index.get(f.name)!]!), batch.numRows);
}

/** A per-row accessor of a column's raw value: typed-array reads for fixed-width columns, `get` otherwise. */
function rawValues(data: arrow.Data): (i: number) => unknown {
  const type = data.type;
  const fixed = arrow.DataType.isInt(type) || arrow.DataType.isDate(type) || arrow.DataType.isFloat(type) || arrow.DataType.isTimestamp(type);
  if (fixed && data.stride === 1) {
    const values = data.values as Int32Array;
    const offset = data.offset;
    if (data.nullCount === 0) return (i) => values[offset + i];
    return (i) => (data.getValid(i) ? values[offset + i] : null);
  }
  const vector = new arrow.Vector([data]);
  return (i) => vector.get(i);
}

/** Group the rows of a batch by their partition values (each distinct value is formatted once). */
export function splitByPartition(batch: arrow.RecordBatch, partitionColumns: string[]): [Record<string, string | null>, arrow.RecordBatch][] {
  if (partitionColumns.length === 0) return [[{}, batch]];
  const columns = partitionColumns.map((name) => {
    const index = batch.schema.fields.findIndex((f) => f.name === name);
    const data = batch.data.children[index]!;
    return { name, data, raw: rawValues(data), vector: new arrow.Vector([data]) };
  });
  interface Group {
    values: Record<string, string | null>;
    rows: number[];
  }
  const groups = new Map<unknown, Group>();
  const single = columns.length === 1 ? columns[0]! : undefined;
  for (let i = 0; i < batch.numRows; i++) {
    const key = single ? single.raw(i) : columns.map((c) => String(c.raw(i))).join('\u0001');
    let group = groups.get(key);
    if (!group) {
      const values: Record<string, string | null> = {};
      for (const c of columns) values[c.name] = partitionString(c.vector.get(i), c.data.type);
      group = { values, rows: [] };
      groups.set(key, group);
    }
    group.rows.push(i);
  }
  // Different raw values can format to the same partition (e.g. two timestamps in one second): merge them.
  const merged = new Map<string, Group>();
  for (const g of groups.values()) {
    const id = partitionId(partitionColumns, g.values);
    const seen = merged.get(id);
    if (seen) seen.rows.push(...g.rows);
    else merged.set(id, g);
  }
  if (merged.size === 1) return [[[...merged.values()][0]!.values, batch]];
  return [...merged.values()].map((g) => [g.values, takeRows(batch, Uint32Array.from(g.rows.sort((a, b) => a - b)))]);
}
