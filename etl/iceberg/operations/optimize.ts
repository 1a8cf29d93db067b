/**
 * Compaction: the small files of each partition are read and rewritten into files of about the target
 * size, committed as a `replace` snapshot (same rows, fewer files). A concurrent commit conflicts only
 * when it removed one of the files being compacted; appends meanwhile are fine.
 */
import type * as arrow from 'apache-arrow';
import type { Predicate } from '../../predicate.js';
import { mightMatch } from '../file-filter.js';
import type { DataFile } from '../manifest.js';
import { partitionKey } from '../partition-spec.js';
import { readDataFile } from '../read-data-file.js';
import { commitSnapshot } from '../snapshot-producer.js';
import type { IcebergTable } from '../table.js';
import { writeDataFiles } from '../write-data-files.js';
import { dataFileTarget } from './input.js';

/** Options of optimize. */
export interface OptimizeOptions {
  /** Target file size in bytes (default 128 MiB); files at or above it are left alone. */
  targetSize?: number;
  /** Only files that may hold rows matching this predicate. */
  filter?: Predicate;
  /** Smallest number of small files in a partition worth compacting (default 2). */
  minFiles?: number;
}

/** What optimize did. */
export interface OptimizeMetrics {
  /** Table sequence number after the compaction (unchanged when nothing was compacted). */
  version: number;
  /** The new snapshot's id (undefined when nothing was compacted). */
  snapshotId?: bigint;
  /** Files removed. */
  filesRemoved: number;
  /** Files added. */
  filesAdded: number;
  /** Partitions compacted. */
  partitionsOptimized: number;
  /** Rows rewritten. */
  rowsRewritten: number;
  /** Commit attempts. */
  attempts: number;
}

/** Bin-pack the small files of each partition into files of about `targetSize`. */
export async function optimize(table: IcebergTable, options: OptimizeOptions = {}): Promise<OptimizeMetrics> {
  await table.refresh();
  const target = options.targetSize ?? 128 * 1024 * 1024;
  const minFiles = options.minFiles ?? 2;
  const schema = table.schema;
  const ischema = table.icebergSchema;
  const specId = table.spec['spec-id'];
  const read = table.currentSnapshot;
  const groups = new Map<string, DataFile[]>();
  for (const file of await table.liveFiles(read)) {
    if (file.fileSizeInBytes >= target || file.specId !== specId) continue;
    if (options.filter && !mightMatch(options.filter, file, ischema)) continue;
    const key = partitionKey(file.specId, file.partition);
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  const chosen = [...groups.values()].filter((files) => files.length >= minFiles);
  const version = table.metadata['last-sequence-number'];
  if (chosen.length === 0) return { version, filesRemoved: 0, filesAdded: 0, partitionsOptimized: 0, rowsRewritten: 0, attempts: 0 };
  const removed = chosen.flat().sort((a, b) => (a.filePath < b.filePath ? -1 : 1));
  async function* rows(): AsyncIterable<arrow.RecordBatch> {
    for (const file of removed) yield* await readDataFile(table.files, file, schema, table.nameMapping);
  }
  const data = await writeDataFiles(dataFileTarget(table), rows(), { ...table.options.files, targetFileSize: target });
  const result = await commitSnapshot(
    table,
    {
      operation: 'replace',
      added: data.files,
      removed,
      readSnapshotId: read?.['snapshot-id'],
      summary: { 'lakehouse.target-file-size': String(target) },
    },
    table.options.commit,
  );
  return {
    version: result.sequenceNumber,
    snapshotId: result.snapshot?.['snapshot-id'],
    filesRemoved: removed.length,
    filesAdded: data.files.length,
    partitionsOptimized: chosen.length,
    rowsRewritten: data.rows,
    attempts: result.attempts,
  };
}
