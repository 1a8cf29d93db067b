/** Compact small files per partition toward the target file size (dataChange false: readers see the same rows). */
import type * as arrow from 'apache-arrow';
import { compilePredicate, type Predicate } from '../../predicate.js';
import type { Action, AddAction } from '../actions.js';
import { partitionId } from '../partitions.js';
import { readDataFile } from '../read-files.js';
import type { DeltaTable } from '../table.js';
import { writeDataFiles } from '../write-files.js';
import { finishCommit } from './finish-commit.js';

/** Options of optimize. */
export interface OptimizeOptions {
  /** Target file size in bytes (default 128 MiB); files at or above it are left alone. */
  targetSize?: number;
  /** Only partitions matching this predicate. */
  partitionFilter?: Predicate;
  /** Smallest number of small files in a partition worth compacting (default 2). */
  minFiles?: number;
}

/** What optimize did. */
export interface OptimizeMetrics {
  /** Version committed (unchanged when nothing was compacted). */
  version: number;
  /** Files removed. */
  filesRemoved: number;
  /** Files added. */
  filesAdded: number;
  /** Partitions compacted. */
  partitionsOptimized: number;
  /** Rows rewritten. */
  rowsRewritten: number;
}

/** Bin-pack the small files of each partition into files of about `targetSize`. */
export async function optimize(table: DeltaTable, options: OptimizeOptions = {}): Promise<OptimizeMetrics> {
  await table.refresh();
  const snapshot = table.snapshot;
  snapshot.assertWritable(table.store.uri);
  const target = options.targetSize ?? 128 * 1024 * 1024;
  const minFiles = options.minFiles ?? 2;
  const schema = snapshot.schema;
  const partitionColumns = snapshot.partitionColumns;
  const test = options.partitionFilter ? compilePredicate(options.partitionFilter, schema) : undefined;
  const groups = new Map<string, AddAction[]>();
  for (const add of snapshot.files.values()) {
    if (add.size >= target) continue;
    if (test && !test((c) => add.partitionValues[c] ?? null)) continue;
    const id = partitionId(partitionColumns, add.partitionValues);
    groups.set(id, [...(groups.get(id) ?? []), add]);
  }
  const removed: AddAction[] = [];
  const adds: AddAction[] = [];
  let partitions = 0;
  let rows = 0;
  for (const files of groups.values()) {
    if (files.length < minFiles) continue;
    partitions++;
    files.sort((a, b) => (a.path < b.path ? -1 : 1));
    async function* batches(): AsyncIterable<arrow.RecordBatch> {
      for (const f of files) yield* await readDataFile(table.store, f, schema, partitionColumns);
    }
    const data = await writeDataFiles(table.store, schema, partitionColumns, batches(), {
      ...table.options.files,
      targetFileSize: target,
      clock: table.clock,
      dataChange: false,
    });
    removed.push(...files);
    adds.push(...data.adds);
    rows += data.rows;
  }
  if (removed.length === 0) return { version: snapshot.version, filesRemoved: 0, filesAdded: 0, partitionsOptimized: 0, rowsRewritten: 0 };
  const now = table.clock.now();
  const actions: Action[] = [
    ...removed.map((f) => ({
      remove: { path: f.path, deletionTimestamp: now, dataChange: false, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
    })),
    ...adds.map((add) => ({ add })),
  ];
  const result = await finishCommit(table, {
    readVersion: snapshot.version,
    actions,
    operation: 'OPTIMIZE',
    operationParameters: { targetSize: String(target), predicate: JSON.stringify(options.partitionFilter ?? null) },
    operationMetrics: { numFilesRemoved: removed.length, numFilesAdded: adds.length, partitionsOptimized: partitions },
    scope: { blindAppend: false, readFiles: new Set(removed.map((r) => r.path)), removedFiles: new Set(removed.map((r) => r.path)) },
  });
  return { version: result.version, filesRemoved: removed.length, filesAdded: adds.length, partitionsOptimized: partitions, rowsRewritten: rows };
}
