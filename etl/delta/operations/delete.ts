/**
 * Delete the rows matching a predicate: files whose partition values match it entirely are removed
 * outright; other files are read and rewritten without the matching rows when they hold any.
 */
import type * as arrow from 'apache-arrow';
import { toBatchStream } from '../../arrow/columns.js';
import { withoutMatchingRows } from '../../table/row-filter.js';
import { compilePredicate, predicateColumns, type Predicate } from '../../predicate.js';
import type { Action, AddAction } from '../actions.js';
import { readDataFile } from '../read-files.js';
import type { DeltaTable } from '../table.js';
import { writeDataFiles } from '../write-files.js';
import { finishCommit } from './finish-commit.js';

/** What a delete did. */
export interface DeleteMetrics {
  /** Version committed (unchanged when nothing matched). */
  version: number;
  /** Rows deleted. */
  rowsDeleted: number;
  /** Rows copied into rewritten files. */
  rowsCopied: number;
  /** Files removed. */
  filesRemoved: number;
  /** Files added. */
  filesAdded: number;
}

/** Delete rows matching `predicate`. */
export async function deleteWhere(table: DeltaTable, predicate: Predicate, commitInfo?: Record<string, unknown>): Promise<DeleteMetrics> {
  await table.refresh();
  const snapshot = table.snapshot;
  snapshot.assertWritable(table.store.uri);
  const schema = snapshot.schema;
  const partitionColumns = snapshot.partitionColumns;
  const test = compilePredicate(predicate, schema);
  const onlyPartitions = [...predicateColumns(predicate)].every((c) => partitionColumns.includes(c));
  const removed: AddAction[] = [];
  const kept: arrow.RecordBatch[] = [];
  let rowsDeleted = 0;
  let rowsCopied = 0;
  for (const add of snapshot.files.values()) {
    if (onlyPartitions) {
      if (test((c) => add.partitionValues[c] ?? null)) {
        removed.push(add);
        rowsDeleted += JSON.parse(add.stats ?? '{"numRecords":0}').numRecords ?? 0;
      }
      continue;
    }
    const { deleted, kept: keepers } = withoutMatchingRows(await readDataFile(table.store, add, schema, partitionColumns), schema, test);
    if (deleted === 0) continue;
    removed.push(add);
    rowsDeleted += deleted;
    for (const k of keepers) {
      rowsCopied += k.numRows;
      kept.push(k);
    }
  }
  if (removed.length === 0) return { version: snapshot.version, rowsDeleted: 0, rowsCopied: 0, filesRemoved: 0, filesAdded: 0 };
  const data = await writeDataFiles(table.store, schema, partitionColumns, toBatchStream(kept), { ...table.options.files, clock: table.clock });
  const now = table.clock.now();
  const actions: Action[] = [
    ...removed.map((f) => ({
      remove: { path: f.path, deletionTimestamp: now, dataChange: true, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
    })),
    ...data.adds.map((add) => ({ add })),
  ];
  const readFiles = new Set(onlyPartitions ? removed.map((r) => r.path) : [...snapshot.files.keys()]);
  const result = await finishCommit(table, {
    readVersion: snapshot.version,
    actions,
    operation: 'DELETE',
    operationParameters: { predicate: JSON.stringify(predicate) },
    operationMetrics: { numDeletedRows: rowsDeleted, numCopiedRows: rowsCopied, numRemovedFiles: removed.length, numAddedFiles: data.adds.length },
    commitInfo,
    scope: {
      blindAppend: false,
      readPartitions: onlyPartitions ? (values) => test((c) => values[c] ?? null) : () => true,
      readFiles,
      removedFiles: new Set(removed.map((r) => r.path)),
    },
  });
  return { version: result.version, rowsDeleted, rowsCopied, filesRemoved: removed.length, filesAdded: data.adds.length };
}
