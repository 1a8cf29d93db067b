/**
 * The source of an Iceberg merge, in one of two forms. Buffered: every source row is held in memory
 * and the last row of each key wins. Staged (the caller promises the source unique on its keys, as
 * validated rows are): the rows stream straight into new, uncommitted data files while an index of
 * their keys is kept, so memory holds the writers' buffers and the key index, not the source.
 */
import type * as arrow from 'apache-arrow';
import { toBatchStream } from '../../arrow/columns.js';
import { conformBatch } from '../../table/conform.js';
import { keyPositionsFor, withoutIndexedKeys } from '../../table/key-positions.js';
import { KeyRanges } from '../../table/key-ranges.js';
import { lastRowPerKey, withoutKeys, type KeyRange } from '../../table/row-keys.js';
import type { DataFile } from '../manifest.js';
import type { IcebergTable } from '../table.js';
import { writeDataFiles } from '../write-data-files.js';
import { dataFileTarget, type RowsInput } from './input.js';

/** A merge's source, read. */
export interface MergeSource {
  /** Source rows (one per key). */
  readonly rows: number;
  /** Per key column, its range over the source (undefined when all null). */
  readonly ranges: (KeyRange | undefined)[];
  /** The rows of `batch` (a target file's) whose key is not in the source, and how many were. */
  without(batch: arrow.RecordBatch): { kept?: arrow.RecordBatch; matched: number };
  /** Writes the source rows not written yet and the `copied` rows as data files; returns every file of the merge. */
  write(copied: AsyncIterable<arrow.RecordBatch>): Promise<DataFile[]>;
  /** Deletes the files staged (the merge failed before its commit). */
  discard(): Promise<void>;
}

/** What reading a source needs. */
interface SourceOptions {
  /** The table, for its schema and files. */
  table: IcebergTable;
  /** Key columns. */
  keys: string[];
  /** Their types. */
  keyTypes: arrow.DataType[];
}

/** Every source row in memory; the last row of a key wins. */
export async function bufferedSource(input: RowsInput, { table, keys, keyTypes }: SourceOptions): Promise<MergeSource> {
  const batches: arrow.RecordBatch[] = [];
  for await (const b of toBatchStream(input)) if (b.numRows) batches.push(conformBatch(b, table.schema));
  const source = lastRowPerKey(batches, keys, keyTypes);
  return {
    rows: source.rows,
    ranges: source.ranges,
    without: (batch) => withoutKeys(batch, source.keys, keys, keyTypes),
    write: async (copied) => (await writeDataFiles(dataFileTarget(table), concat(source.batches, copied), table.options.files)).files,
    discard: async () => undefined,
  };
}

/**
 * The source written to uncommitted data files as it streams, keys indexed on the way; a key seen twice
 * is a `DuplicateSourceKeyError` (and the files written are deleted).
 */
export async function stagedSource(input: RowsInput, { table, keys, keyTypes }: SourceOptions): Promise<MergeSource> {
  const index = keyPositionsFor(keys, keyTypes, true);
  const ranges = new KeyRanges(keys, keyTypes);
  let rows = 0;
  async function* indexed(): AsyncGenerator<arrow.RecordBatch> {
    for await (const b of toBatchStream(input)) {
      if (b.numRows === 0) continue;
      const batch = conformBatch(b, table.schema);
      // Nothing is replaced in a unique source, so positions serve no lookup: the rows' ordinals will do.
      const positions = new Int32Array(batch.numRows);
      for (let i = 0; i < positions.length; i++) positions[i] = rows + i;
      index.putAll(batch, positions, () => undefined);
      ranges.add(batch);
      rows += batch.numRows;
      yield batch;
    }
  }
  const staged = (await writeDataFiles(dataFileTarget(table), indexed(), table.options.files)).files;
  const extra: DataFile[] = [];
  const discard = async (): Promise<void> => {
    await Promise.all([...staged, ...extra].map((f) => table.files.delete(f.filePath).catch(() => undefined)));
  };
  return {
    rows,
    ranges: ranges.ranges,
    without: (batch) => withoutIndexedKeys(batch, index),
    write: async (copied) => {
      extra.push(...(await writeDataFiles(dataFileTarget(table), copied, table.options.files)).files);
      return [...staged, ...extra];
    },
    discard,
  };
}

/** `first`, then `rest`. */
async function* concat(first: arrow.RecordBatch[], rest: AsyncIterable<arrow.RecordBatch>): AsyncGenerator<arrow.RecordBatch> {
  yield* first;
  yield* rest;
}
