/**
 * Upsert by key columns (copy-on-write), streaming: the source rows are written to new data files as
 * they arrive (`stageSource`; the last row of a key wins), keeping only an index of the source keys; then
 * the target files that may hold a source key (pruned by min/max stats, then checked row by row) are
 * rewritten without the matched rows, one file at a time. Appending to an empty table, or to files
 * whose key ranges do not overlap the source's, reads nothing back. Nothing is visible until the
 * commit; on failure the files written are deleted.
 */
import type * as arrow from 'apache-arrow';
import { toBatchStream } from '../../arrow/columns.js';
import { withoutIndexedKeys } from '../../table/key-positions.js';
import { UsageError } from '../../errors.js';
import { comparable } from '../../predicate.js';
import type { Action, AddAction } from '../actions.js';
import { fileKey, readDataFile } from '../read-files.js';
import { stageSource, type StagedSource } from '../staged-source.js';
import { parseStats } from '../stats.js';
import type { DeltaTable } from '../table.js';
import { deleteFiles, writeDataFiles, type WrittenData } from '../write-files.js';
import { finishCommit } from './finish-commit.js';

/** Options of a merge. */
export interface MergeOptions {
  /** Columns that identify a row. */
  keys: string[];
  /** Idempotency key, as for writes. */
  txn?: { appId: string; version: number };
  /**
   * The caller guarantees no two source rows share a key (rows validated and deduplicated on these
   * keys): the source's key index then takes a bit a key instead of 4 bytes, and a repeat is an error.
   */
  sourceUnique?: boolean;
  /** Extra commitInfo fields. */
  commitInfo?: Record<string, unknown>;
}

/** What a merge did. */
export interface MergeMetrics {
  /** Version committed. */
  version: number;
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
  /** Files removed. */
  filesRemoved: number;
  /** Files added. */
  filesAdded: number;
  /** Commit attempts. */
  attempts: number;
}

type Input = arrow.Table | arrow.RecordBatch | Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>;

/** Upsert `input` into the table by `keys`. */
export async function merge(table: DeltaTable, input: Input, options: MergeOptions): Promise<MergeMetrics> {
  await table.refresh();
  const snapshot = table.snapshot;
  snapshot.assertWritable(table.store.uri);
  const empty = { version: snapshot.version, skipped: true, sourceRows: 0, rowsUpdated: 0, rowsInserted: 0, rowsCopied: 0, filesRemoved: 0, filesAdded: 0, attempts: 0 };
  const seen = options.txn && snapshot.txns.get(options.txn.appId);
  if (seen && options.txn && seen.version >= options.txn.version) return empty;
  const schema = snapshot.schema;
  for (const k of options.keys) {
    if (!schema.fields.some((f) => f.name === k)) throw new UsageError(`merge key ${k} is not a column of ${table.store.uri}`);
  }
  const keyTypes = options.keys.map((k) => schema.fields.find((f) => f.name === k)!.type);
  const partitionColumns = snapshot.partitionColumns;
  const fileOptions = { ...table.options.files, clock: table.clock };

  // 1. Source rows straight into new files; the last row per key wins.
  const source = await stageSource(table.store, schema, partitionColumns, toBatchStream(input), options.keys, keyTypes, fileOptions, options.sourceUnique ?? false);
  let copied: WrittenData = { adds: [], rows: 0, bytes: 0 };
  try {
    // 2. Candidate files: those whose key ranges (stats) overlap the source's on every key column, or without stats.
    const candidates = source.rows === 0 ? [] : [...snapshot.files.values()].filter((add) => mayHoldKeys(add, source, options.keys, keyTypes, partitionColumns));

    // 3. Read candidates one at a time: rewrite only files with a match, without the matched rows.
    const removed: AddAction[] = [];
    let rowsUpdated = 0;
    const keptRows = async function* (): AsyncIterable<arrow.RecordBatch> {
      for (const add of candidates) {
        const batches = await readDataFile(table.store, add, schema, partitionColumns);
        let matches = 0;
        const keepers: arrow.RecordBatch[] = [];
        for (const b of batches) {
          const { kept, matched } = withoutIndexedKeys(b, source.keys);
          matches += matched;
          if (kept) keepers.push(kept);
        }
        if (matches === 0) continue;
        removed.push(add);
        rowsUpdated += matches;
        yield* keepers;
      }
    };
    copied = await writeDataFiles(table.store, schema, partitionColumns, keptRows(), fileOptions);
    const sourceRows = source.rows;

    // 4. Commit removes + adds.
    const adds = [...source.adds, ...copied.adds];
    const now = table.clock.now();
    const actions: Action[] = [
      ...removed.map((f) => ({
        remove: { path: f.path, deletionTimestamp: now, dataChange: true, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
      })),
      ...adds.map((add) => ({ add })),
    ];
    if (options.txn) actions.push({ txn: { ...options.txn, lastUpdated: now } });
    const candidatePaths = new Set(candidates.map((c) => c.path));
    const result = await finishCommit(table, {
      readVersion: snapshot.version,
      actions,
      operation: 'MERGE',
      operationParameters: { predicate: options.keys.map((k) => `source.${k} = target.${k}`).join(' AND '), matchedPredicates: '[{"actionType":"update"}]', notMatchedPredicates: '[{"actionType":"insert"}]' },
      operationMetrics: {
        numSourceRows: sourceRows,
        numTargetRowsUpdated: rowsUpdated,
        numTargetRowsInserted: sourceRows - rowsUpdated,
        numTargetRowsCopied: copied.rows,
        numTargetFilesRemoved: removed.length,
        numTargetFilesAdded: adds.length,
      },
      commitInfo: options.commitInfo,
      scope: {
        blindAppend: false,
        // A concurrent append could add a row with one of our keys anywhere: any new file conflicts.
        readPartitions: () => true,
        readFiles: candidatePaths,
        removedFiles: new Set(removed.map((r) => r.path)),
        txn: options.txn,
      },
    });
    if (result.skipped) {
      // Another attempt of the same batch won: our files are orphans; remove them now (vacuum would later).
      await deleteFiles(table.store, adds.map(fileKey));
    }
    return {
      version: result.version,
      skipped: result.skipped,
      sourceRows,
      rowsUpdated,
      rowsInserted: sourceRows - rowsUpdated,
      rowsCopied: copied.rows,
      filesRemoved: removed.length,
      filesAdded: adds.length,
      attempts: result.attempts,
    };
  } catch (err) {
    await deleteFiles(table.store, [...source.adds, ...copied.adds].map(fileKey));
    throw err;
  }
}

/** True when the file's statistics do not rule out holding a source key (partition keys are not pruned on). */
function mayHoldKeys(add: AddAction, source: StagedSource, keys: string[], keyTypes: arrow.DataType[], partitionColumns: string[]): boolean {
  const stats = parseStats(add.stats);
  return keys.every((key, j) => {
    const range = source.ranges[j];
    if (range === undefined || partitionColumns.includes(key)) return true;
    const lo = stats?.minValues?.[key];
    const hi = stats?.maxValues?.[key];
    if (lo === undefined || hi === undefined || lo === null || hi === null) return true;
    const clo = comparable(lo, keyTypes[j]!) as never;
    const chi = comparable(hi, keyTypes[j]!) as never;
    return !(chi < (range.min as never)) && !(clo > (range.max as never));
  });
}
