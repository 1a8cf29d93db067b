/**
 * Delete the rows matching a predicate: files whose identity partition values decide the predicate are
 * removed whole (or skipped) without reading; files whose bounds rule it out are skipped; the rest are
 * read and, when they hold matching rows, removed (all rows match) or rewritten without them.
 * A concurrent commit conflicts when it removed a file this delete read, or added a file that may
 * hold matching rows.
 */
import type * as arrow from 'apache-arrow';
import { toBatchStream } from '../../arrow/columns.js';
import { withoutMatchingRows } from '../../table/row-filter.js';
import { compilePredicate, type Predicate } from '../../predicate.js';
import { ConcurrentModificationError } from '../../table/errors.js';
import { mightMatch, partitionDecides } from '../file-filter.js';
import type { DataFile } from '../manifest.js';
import { readDataFile } from '../read-data-file.js';
import { commitSnapshot } from '../snapshot-producer.js';
import { specById } from '../table-metadata.js';
import type { IcebergTable } from '../table.js';
import { writeDataFiles } from '../write-data-files.js';
import { dataFileTarget } from './input.js';

/** Options of a delete. */
export interface DeleteOptions {
  /** Extra snapshot summary properties. */
  summary?: Record<string, string>;
}

/** What a delete did. */
export interface DeleteMetrics {
  /** Table sequence number after the delete (unchanged when nothing matched). */
  version: number;
  /** The new snapshot's id (undefined when nothing matched). */
  snapshotId?: bigint;
  /** Rows deleted. */
  rowsDeleted: number;
  /** Rows copied into rewritten files. */
  rowsCopied: number;
  /** Files read to find matching rows. */
  filesRead: number;
  /** Files removed. */
  filesRemoved: number;
  /** Files added. */
  filesAdded: number;
  /** Commit attempts. */
  attempts: number;
}

/** Delete the rows matching `predicate`. */
export async function deleteWhere(table: IcebergTable, predicate: Predicate, options: DeleteOptions = {}): Promise<DeleteMetrics> {
  await table.refresh();
  const schema = table.schema;
  const ischema = table.icebergSchema;
  const test = compilePredicate(predicate, schema);
  const read = table.currentSnapshot;
  const removed: DataFile[] = [];
  const readFiles = new Set<string>();
  const kept: arrow.RecordBatch[] = [];
  let rowsDeleted = 0;
  let rowsCopied = 0;
  for (const file of await table.liveFiles(read)) {
    const decided = partitionDecides(predicate, file, specById(table.metadata, file.specId), ischema);
    if (decided === false) continue;
    if (decided === true) {
      removed.push(file);
      rowsDeleted += file.recordCount;
      continue;
    }
    if (!mightMatch(predicate, file, ischema)) continue;
    readFiles.add(file.filePath);
    const { deleted, kept: keepers } = withoutMatchingRows(await readDataFile(table.files, file, schema, table.nameMapping), schema, test);
    if (deleted === 0) continue;
    removed.push(file);
    rowsDeleted += deleted;
    for (const k of keepers) {
      rowsCopied += k.numRows;
      kept.push(k);
    }
  }
  const version = table.metadata['last-sequence-number'];
  if (removed.length === 0) return { version, rowsDeleted: 0, rowsCopied: 0, filesRead: readFiles.size, filesRemoved: 0, filesAdded: 0, attempts: 0 };
  const data = await writeDataFiles(dataFileTarget(table), toBatchStream(kept), table.options.files);
  const result = await commitSnapshot(
    table,
    {
      operation: data.files.length ? 'overwrite' : 'delete',
      added: data.files,
      removed,
      readSnapshotId: read?.['snapshot-id'],
      summary: { 'lakehouse.delete-predicate': JSON.stringify(predicate, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)), ...options.summary },
      validate: (winners) => {
        const seq = winners.snapshots.at(-1)?.['sequence-number'] ?? 0;
        const gone = winners.deleted.find((f) => readFiles.has(f.filePath));
        if (gone) throw new ConcurrentModificationError(`a concurrent commit removed ${gone.filePath}, which this delete read`, seq);
        const clash = winners.added.find((f) => {
          const decided = partitionDecides(predicate, f, specById(table.metadata, f.specId), ischema);
          return decided ?? mightMatch(predicate, f, ischema);
        });
        if (clash) throw new ConcurrentModificationError(`a concurrent commit added ${clash.filePath}, which may hold rows this delete removes`, seq);
      },
    },
    table.options.commit,
  );
  return {
    version: result.sequenceNumber,
    snapshotId: result.snapshot?.['snapshot-id'],
    rowsDeleted,
    rowsCopied,
    filesRead: readFiles.size,
    filesRemoved: removed.length,
    filesAdded: data.files.length,
    attempts: result.attempts,
  };
}
