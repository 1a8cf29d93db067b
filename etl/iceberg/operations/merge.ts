/**
 * Upsert by key columns (copy-on-write): files whose bounds overlap the source keys' ranges are read;
 * those holding a source key are rewritten without the matched rows, and the source rows are added.
 * Within the source, the last row of a key wins; a source the caller declares unique on its keys
 * streams into the new files instead of being held in memory (see `merge-source.ts`). A concurrent
 * commit conflicts when it removed a file this upsert read, or added a file whose key bounds overlap
 * the source keys.
 */
import type * as arrow from 'apache-arrow';
import { UsageError } from '../../errors.js';
import type { Predicate } from '../../predicate.js';
import { ConcurrentModificationError } from '../../table/errors.js';
import type { KeyRange } from '../../table/row-keys.js';
import { mightMatch } from '../file-filter.js';
import type { DataFile } from '../manifest.js';
import { readDataFile } from '../read-data-file.js';
import { commitSnapshot } from '../snapshot-producer.js';
import type { IcebergTable } from '../table.js';
import { isCommitted, type TxnKey } from '../txn.js';
import type { RowsInput } from './input.js';
import { bufferedSource, stagedSource } from './merge-source.js';

/** Options of a merge. */
export interface MergeOptions {
  /** Columns that identify a row. */
  keys: string[];
  /** Idempotency key, as for writes. */
  txn?: TxnKey;
  /** Extra snapshot summary properties. */
  summary?: Record<string, string>;
  /**
   * The caller guarantees that no two source rows share a key (e.g. validated, deduplicated rows): the
   * source then streams into the new files (memory: the writers' buffers and a key index), and a
   * repeated key is a `DuplicateSourceKeyError`.
   */
  sourceUnique?: boolean;
}

/** What a merge did. */
export interface MergeMetrics {
  /** Table sequence number after the merge. */
  version: number;
  /** The new snapshot's id (undefined when nothing was committed). */
  snapshotId?: bigint;
  /** True when the txn was already committed. */
  skipped: boolean;
  /** Source rows after de-duplication by key. */
  sourceRows: number;
  /** Target rows replaced by a source row. */
  rowsUpdated: number;
  /** Source rows that matched no target row. */
  rowsInserted: number;
  /** Target rows copied unchanged into rewritten files. */
  rowsCopied: number;
  /** Files read because their bounds overlap the source keys. */
  filesRead: number;
  /** Files removed. */
  filesRemoved: number;
  /** Files added. */
  filesAdded: number;
  /** Commit attempts. */
  attempts: number;
}

/** A predicate true for rows whose key columns lie within the source ranges. */
function rangePredicate(keys: string[], ranges: (KeyRange | undefined)[]): Predicate {
  return {
    and: keys.flatMap((column, j) => {
      const r = ranges[j];
      return r ? [{ column, op: '>=' as const, value: r.min }, { column, op: '<=' as const, value: r.max }] : [];
    }),
  };
}

/** Upsert `input` into the table by `options.keys`. */
export async function merge(table: IcebergTable, input: RowsInput, options: MergeOptions): Promise<MergeMetrics> {
  await table.refresh();
  const base = { version: table.metadata['last-sequence-number'], sourceRows: 0, rowsUpdated: 0, rowsInserted: 0, rowsCopied: 0, filesRead: 0, filesRemoved: 0, filesAdded: 0, attempts: 0 };
  if (isCommitted(table.metadata, options.txn)) return { ...base, skipped: true };
  const schema = table.schema;
  const ischema = table.icebergSchema;
  if (options.keys.length === 0) throw new UsageError('merge needs at least one key column');
  const keyTypes = options.keys.map((k) => {
    const field = schema.fields.find((f) => f.name === k);
    if (!field) throw new UsageError(`merge key ${k} is not a column of ${table.identifier}`);
    return field.type;
  });

  // 1. The source: in memory (last row per key wins), or written as it streams when declared unique.
  const sourceOptions = { table, keys: options.keys, keyTypes };
  const read = table.currentSnapshot;
  const source = options.sourceUnique ? await stagedSource(input, sourceOptions) : await bufferedSource(input, sourceOptions);
  const range = rangePredicate(options.keys, source.ranges);

  // 2. Candidates: live files whose bounds overlap the source key ranges; 3. rewrite those with a match
  // (one file's rows held at a time: they are written as each file is read).
  const removed: DataFile[] = [];
  let rowsUpdated = 0;
  let rowsCopied = 0;
  let candidates: DataFile[] = [];
  async function* copied(): AsyncGenerator<arrow.RecordBatch> {
    for (const file of candidates) {
      let matches = 0;
      const keepers: arrow.RecordBatch[] = [];
      for (const b of await readDataFile(table.files, file, schema, table.nameMapping)) {
        const { kept: rest, matched } = source.without(b);
        matches += matched;
        if (rest) keepers.push(rest);
      }
      if (matches === 0) continue;
      removed.push(file);
      rowsUpdated += matches;
      for (const k of keepers) {
        rowsCopied += k.numRows;
        yield k;
      }
    }
  }
  let added: DataFile[];
  try {
    if (source.rows === 0 && !options.txn) return { ...base, skipped: false };
    candidates = source.rows === 0 ? [] : (await table.liveFiles(read)).filter((f) => mightMatch(range, f, ischema));
    // 4. Write the source rows (those not written yet) and the copied rows; commit.
    added = await source.write(copied());
  } catch (err) {
    await source.discard();
    throw err;
  }
  const readPaths = new Set(candidates.map((f) => f.filePath));
  const result = await commitSnapshot(
    table,
    {
      operation: removed.length ? 'overwrite' : 'append',
      added,
      removed,
      readSnapshotId: read?.['snapshot-id'],
      txn: options.txn,
      summary: { 'lakehouse.merge-keys': options.keys.join(','), ...options.summary },
      validate: (winners) => {
        const seq = winners.snapshots.at(-1)?.['sequence-number'] ?? 0;
        const gone = winners.deleted.find((f) => readPaths.has(f.filePath));
        if (gone) throw new ConcurrentModificationError(`a concurrent commit removed ${gone.filePath}, which this merge read`, seq);
        const clash = winners.added.find((f) => mightMatch(range, f, ischema));
        if (clash) throw new ConcurrentModificationError(`a concurrent commit added ${clash.filePath}, which may hold keys this merge upserts`, seq);
      },
    },
    table.options.commit,
  );
  return {
    version: result.sequenceNumber,
    snapshotId: result.snapshot?.['snapshot-id'],
    skipped: result.skipped,
    sourceRows: source.rows,
    rowsUpdated,
    rowsInserted: source.rows - rowsUpdated,
    rowsCopied,
    filesRead: candidates.length,
    filesRemoved: removed.length,
    filesAdded: added.length,
    attempts: result.attempts,
  };
}
