/**
 * Upsert by key columns (copy-on-write): the files that may hold a source key (pruned by min/max
 * stats, then checked row by row) are rewritten without the matched rows; the source rows are added.
 * Within the source, the last row of a key wins.
 */
import * as arrow from 'apache-arrow';
import { toBatchStream } from '../../arrow/columns.js';
import { UsageError } from '../../errors.js';
import { comparable } from '../../predicate.js';
import type { Action, AddAction } from '../actions.js';
import { conformBatch } from '../../table/conform.js';
import { lastRowPerKey, withoutKeys } from '../../table/row-keys.js';
import { readDataFile } from '../read-files.js';
import { parseStats } from '../stats.js';
import type { DeltaTable } from '../table.js';
import { writeDataFiles } from '../write-files.js';
import { finishCommit } from './finish-commit.js';

/** Options of a merge. */
export interface MergeOptions {
  /** Columns that identify a row. */
  keys: string[];
  /** Idempotency key, as for writes. */
  txn?: { appId: string; version: number };
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

  // 1. Source rows, last row per key wins (kept in memory: a merge batch is bounded by the caller).
  const sourceBatches: arrow.RecordBatch[] = [];
  for await (const b of toBatchStream(input)) if (b.numRows) sourceBatches.push(conformBatch(b, schema));
  const source = lastRowPerKey(sourceBatches, options.keys, keyTypes);
  const winners = source.batches;

  // 2. Candidate files: those whose key ranges (stats) overlap the source's on every key column, or without stats.
  const partitionColumns = snapshot.partitionColumns;
  const candidates = [...snapshot.files.values()].filter((add) => {
    const stats = parseStats(add.stats);
    return options.keys.every((key, j) => {
      const range = source.ranges[j];
      if (range === undefined || partitionColumns.includes(key)) return true;
      const lo = stats?.minValues?.[key];
      const hi = stats?.maxValues?.[key];
      if (lo === undefined || hi === undefined || lo === null || hi === null) return true;
      const clo = comparable(lo, keyTypes[j]!) as never;
      const chi = comparable(hi, keyTypes[j]!) as never;
      return !(chi < (range.min as never)) && !(clo > (range.max as never));
    });
  });

  // 3. Read candidates: keep rows whose key the source does not replace; rewrite only files with a match.
  const removed: AddAction[] = [];
  const kept: arrow.RecordBatch[] = [];
  let rowsUpdated = 0;
  let rowsCopied = 0;
  for (const add of candidates) {
    const batches = await readDataFile(table.store, add, schema, partitionColumns);
    let matches = 0;
    const keepers: arrow.RecordBatch[] = [];
    for (const b of batches) {
      const { kept: rest, matched } = withoutKeys(b, source.keys, options.keys, keyTypes);
      matches += matched;
      if (rest) keepers.push(rest);
    }
    if (matches === 0) continue;
    removed.push(add);
    rowsUpdated += matches;
    for (const k of keepers) {
      rowsCopied += k.numRows;
      kept.push(k);
    }
  }
  const sourceRows = winners.reduce((n, b) => n + b.numRows, 0);

  // 4. Write source rows and the copied rows, commit removes + adds.
  const data = await writeDataFiles(table.store, schema, partitionColumns, toBatchStream([...winners, ...kept]), {
    ...table.options.files,
    clock: table.clock,
  });
  const now = table.clock.now();
  const actions: Action[] = [
    ...removed.map((f) => ({
      remove: { path: f.path, deletionTimestamp: now, dataChange: true, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
    })),
    ...data.adds.map((add) => ({ add })),
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
      numTargetRowsCopied: rowsCopied,
      numTargetFilesRemoved: removed.length,
      numTargetFilesAdded: data.adds.length,
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
  return {
    version: result.version,
    skipped: result.skipped,
    sourceRows,
    rowsUpdated,
    rowsInserted: sourceRows - rowsUpdated,
    rowsCopied,
    filesRemoved: removed.length,
    filesAdded: data.adds.length,
    attempts: result.attempts,
  };
}
