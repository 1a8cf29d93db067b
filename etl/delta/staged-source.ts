/**
 * The source of a merge, written as it streams: each batch goes straight into the new data files
 * (uncommitted, so invisible until the commit) while a key index records where each key's row went.
 * When a later source row has the key of an earlier one (the last row of a key wins), the earlier
 * row's place is remembered, and at the end only the files holding such rows are written again
 * without them. Memory: the writers' buffers and the key index, not the source.
 */
import * as arrow from 'apache-arrow';
import { projectBatch } from '../arrow/columns.js';
import { selectRows, takeRows } from '../arrow/take.js';
import { readParquetTable } from '../parquet/reader.js';
import { ParquetFileWriter } from '../parquet/writer.js';
import type { ObjectStore } from '../storage/object-store.js';
import { conformBatch } from '../table/conform.js';
import { keyPositionsFor, type KeyPositions } from '../table/key-positions.js';
import { KeyRanges } from '../table/key-ranges.js';
import { PartitionedParquetWriter, type PartitionFile } from '../table/partitioned-writer.js';
import type { KeyRange } from '../table/row-keys.js';
import { UsageError } from '../errors.js';
import type { AddAction } from './actions.js';
import { addActionsFor, dataFileNamer, deleteFiles, partitionGroups, type WriteFilesOptions } from './write-files.js';

/** The source of a merge, written to uncommitted files. */
export interface StagedSource {
  /** One add action per file (not committed). */
  adds: AddAction[];
  /** Source rows in the files: one per key (the last). */
  rows: number;
  /** Source rows dropped because a later row had their key. */
  replaced: number;
  /** The source keys. */
  keys: KeyPositions;
  /** Per key column, its range over the source (undefined when all null). */
  ranges: (KeyRange | undefined)[];
}

/** A run of consecutive positions written to one file of one partition. */
interface Run {
  start: number;
  length: number;
  id: string;
  file: number;
  row: number;
}

type Partition = Record<string, string | null>;

/**
 * Write `batches` (conformed to `schema`) as data files, keeping the last row of each key over `keys`
 * (of types `keyTypes`); with `unique` the caller guarantees no key repeats (the key index is then a
 * bitset where it can be, and a repeat is an error). On error, the files written so far are deleted and
 * the error propagates.
 */
export async function stageSource(
  store: ObjectStore,
  schema: arrow.Schema,
  partitionColumns: string[],
  batches: AsyncIterable<arrow.RecordBatch>,
  keys: string[],
  keyTypes: arrow.DataType[],
  options: WriteFilesOptions = {},
  unique = false,
): Promise<StagedSource> {
  const partitionSet = new Set(partitionColumns);
  const dataSchema = new arrow.Schema(schema.fields.filter((f) => !partitionSet.has(f.name)));
  const namer = dataFileNamer(partitionColumns, options);
  const writer = new PartitionedParquetWriter(store, dataSchema, namer, options);
  const index = keyPositionsFor(keys, keyTypes, unique);
  const ranges = new KeyRanges(keys, keyTypes);
  const runs: Run[] = [];
  const losers: number[] = [];
  let next = 0;
  let written: PartitionFile<Partition>[] = [];
  try {
    for await (const raw of batches) {
      if (raw.numRows === 0) continue;
      const batch = conformBatch(raw, schema);
      if (next + batch.numRows > 0x7fffffff) throw new UsageError('a merge source may hold at most 2^31 - 1 rows');
      const positions = new Int32Array(batch.numRows);
      // Partition columns are dropped before rows are copied out (the files do not hold them).
      const data = projectBatch(batch, dataSchema);
      for (const group of partitionGroups(batch, partitionColumns)) {
        const rows = group.rows;
        const n = rows === undefined ? batch.numRows : rows.length;
        const at = writer.nextRow(group.id);
        runs.push({ start: next, length: n, id: group.id, file: at.file, row: at.row });
        for (let j = 0; j < n; j++) positions[rows === undefined ? j : rows[j]!] = next + j;
        next += n;
        await writer.write(group.id, group.values, rows === undefined ? data : selectRows(data, rows));
      }
      index.putAll(batch, positions, (previous) => losers.push(previous));
      ranges.add(batch);
    }
    written = await writer.close();
    if (losers.length > 0) written = await dropRows(store, dataSchema, namer, written, placesOf(losers, runs), options);
  } catch (err) {
    await deleteFiles(store, [...(await writer.abandon()), ...written.map((w) => w.file.key)]);
    throw err;
  }
  return { adds: addActionsFor(written, dataSchema, options), rows: next - losers.length, replaced: losers.length, keys: index, ranges: ranges.ranges };
}

/** Rows to drop, by `<partition id>\0<file sequence>`. */
function placesOf(positions: number[], runs: Run[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of positions) {
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid]!.start <= p) lo = mid;
      else hi = mid - 1;
    }
    const run = runs[lo]!;
    const id = `${run.id}\u0000${run.file}`;
    const list = out.get(id) ?? [];
    list.push(run.row + (p - run.start));
    out.set(id, list);
  }
  return out;
}

/** Writes the files holding rows to drop again without them (the old files are deleted). */
async function dropRows(
  store: ObjectStore,
  dataSchema: arrow.Schema,
  namer: (values: Partition) => () => string,
  written: PartitionFile<Partition>[],
  drop: Map<string, number[]>,
  options: WriteFilesOptions,
): Promise<PartitionFile<Partition>[]> {
  const out: PartitionFile<Partition>[] = [];
  for (const w of written) {
    const rows = drop.get(`${w.id}\u0000${w.sequence}`);
    if (rows === undefined) {
      out.push(w);
      continue;
    }
    const gone = new Set(rows);
    const writer = new ParquetFileWriter(store, dataSchema, namer(w.partition), options);
    let offset = 0;
    for (const raw of readParquetTable(await store.get(w.file.key)).batches) {
      const batch = conformBatch(raw, dataSchema, { ignoreExtra: true });
      const keep: number[] = [];
      for (let i = 0; i < batch.numRows; i++) if (!gone.has(offset + i)) keep.push(i);
      offset += batch.numRows;
      if (keep.length > 0) await writer.write(keep.length === batch.numRows ? batch : takeRows(batch, Uint32Array.from(keep)));
    }
    for (const file of await writer.close()) out.push({ file, partition: w.partition, id: w.id, sequence: -1 });
    await store.delete(w.file.key);
  }
  return out;
}
