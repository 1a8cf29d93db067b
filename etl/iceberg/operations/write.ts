/**
 * Append (a fast append: one new manifest, the existing ones reused) and overwrite (of the whole table
 * or of exactly the partitions the new rows touch, atomically), with txn idempotency. An append that
 * loses a race is re-applied on the new snapshot; an overwrite conflicts when a concurrent commit added
 * files to a partition it replaces (or removed one of the files it replaces).
 */
import { toBatchStream } from '../../arrow/columns.js';
import { ConcurrentModificationError } from '../../table/errors.js';
import { partitionKey } from '../partition-spec.js';
import { commitSnapshot } from '../snapshot-producer.js';
import type { IcebergTable } from '../table.js';
import { isCommitted, type TxnKey } from '../txn.js';
import { writeDataFiles } from '../write-data-files.js';
import { dataFileTarget, type RowsInput } from './input.js';

/** Options of a write. */
export interface WriteOptions {
  /** `append` (default) or `overwrite`. */
  mode?: 'append' | 'overwrite';
  /** For overwrite: the partitions the new rows touch (default), or the whole table. */
  overwrite?: 'partitions' | 'table';
  /** Idempotency key: a batch whose version is already committed for this app id commits nothing. */
  txn?: TxnKey;
  /** Extra snapshot summary properties (e.g. `{ 'lakehouse.run-id': runId }`). */
  summary?: Record<string, string>;
}

/** What a write did. */
export interface WriteMetrics {
  /** Table sequence number after the write (the committed snapshot's, or the current one when skipped). */
  version: number;
  /** The new snapshot's id (undefined when nothing was committed). */
  snapshotId?: bigint;
  /** True when the txn version was already committed and nothing was written. */
  skipped: boolean;
  /** Files added. */
  filesAdded: number;
  /** Files removed (overwrite). */
  filesRemoved: number;
  /** Rows written. */
  rowsWritten: number;
  /** Bytes written. */
  bytesWritten: number;
  /** Commit attempts. */
  attempts: number;
}

/** Write rows to the table. */
export async function write(table: IcebergTable, input: RowsInput, options: WriteOptions = {}): Promise<WriteMetrics> {
  await table.refresh();
  const mode = options.mode ?? 'append';
  const nothing = (skipped: boolean): WriteMetrics => ({
    version: table.metadata['last-sequence-number'],
    skipped,
    filesAdded: 0,
    filesRemoved: 0,
    rowsWritten: 0,
    bytesWritten: 0,
    attempts: 0,
  });
  if (isCommitted(table.metadata, options.txn)) return nothing(true);
  const read = table.currentSnapshot;
  const data = await writeDataFiles(dataFileTarget(table), toBatchStream(input), table.options.files);
  const touched = new Set(data.files.map((f) => partitionKey(f.specId, f.partition)));
  const wholeTable = options.overwrite === 'table';
  const replaces = (f: { specId: number; partition: unknown[] }) => wholeTable || touched.has(partitionKey(f.specId, f.partition as never));
  const removed = mode === 'overwrite' ? (await table.liveFiles(read)).filter(replaces) : [];
  if (data.files.length === 0 && removed.length === 0 && !options.txn) return nothing(false);
  const result = await commitSnapshot(
    table,
    {
      operation: removed.length === 0 ? 'append' : data.files.length === 0 ? 'delete' : 'overwrite',
      added: data.files,
      removed,
      readSnapshotId: read?.['snapshot-id'],
      txn: options.txn,
      summary: { ...(mode === 'overwrite' ? { 'replace-partitions': String(!wholeTable) } : {}), ...options.summary },
      validate:
        mode === 'overwrite'
          ? (winners) => {
              const clash = winners.added.find(replaces);
              if (clash) {
                throw new ConcurrentModificationError(
                  `a concurrent commit added ${clash.filePath} to a partition this overwrite replaces`,
                  winners.snapshots.at(-1)?.['sequence-number'] ?? 0,
                );
              }
            }
          : undefined,
    },
    table.options.commit,
  );
  if (result.skipped) return { ...nothing(true), version: result.sequenceNumber, attempts: result.attempts };
  return {
    version: result.sequenceNumber,
    snapshotId: result.snapshot?.['snapshot-id'],
    skipped: false,
    filesAdded: data.files.length,
    filesRemoved: removed.length,
    rowsWritten: data.rows,
    bytesWritten: data.bytes,
    attempts: result.attempts,
  };
}
