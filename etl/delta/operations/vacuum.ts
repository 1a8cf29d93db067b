/**
 * Remove data files the current version does not reference: removed files once their tombstone is
 * older than the retention, and orphans (never committed, e.g. from a crashed writer) once they are
 * older than the retention.
 */
import { UsageError } from '../../errors.js';
import { tombstoneRetentionMs } from '../checkpoint-writer.js';
import { LOG_DIR } from '../log-store.js';
import { fileKey } from '../read-files.js';
import type { DeltaTable } from '../table.js';

/** Options of vacuum. */
export interface VacuumOptions {
  /** Keep files newer than this many hours (default: the table's deletedFileRetentionDuration, 168). */
  retentionHours?: number;
  /** List what would be deleted without deleting. */
  dryRun?: boolean;
  /** Refuse a retention shorter than the table's (true by default): it could break time travel and running readers. */
  enforceRetention?: boolean;
}

/** What vacuum did. */
export interface VacuumMetrics {
  /** Keys (relative to the table root) deleted, or that would be in a dry run. */
  files: string[];
  /** Bytes of those files. */
  bytes: number;
  /** Unfinished writes (temp files, incomplete multipart uploads) older than the retention that were removed. */
  incompleteWrites: number;
  /** True for a dry run. */
  dryRun: boolean;
}

function isDataKey(key: string): boolean {
  if (key.startsWith(`${LOG_DIR}/`)) return false;
  // Hidden files and folders (`_` or `.` prefixed) are not data, except Hive partition folders.
  return key.split('/').every((seg) => !(seg.startsWith('.') || (seg.startsWith('_') && !seg.includes('='))));
}

/** Delete unreferenced files older than the retention. */
export async function vacuum(table: DeltaTable, options: VacuumOptions = {}): Promise<VacuumMetrics> {
  const snapshot = await table.refresh();
  const tableRetention = tombstoneRetentionMs(snapshot);
  const retention = options.retentionHours !== undefined ? options.retentionHours * 3.6e6 : tableRetention;
  if (retention < tableRetention && options.enforceRetention !== false) {
    throw new UsageError(
      `retention of ${retention / 3.6e6} hours is shorter than the table's ${tableRetention / 3.6e6} hours; pass enforceRetention: false (CLI: --retain-hours with --force) to allow it`,
    );
  }
  const cutoff = table.clock.now() - retention;
  const active = new Set([...snapshot.files.values()].map(fileKey));
  const tombstones = new Map([...snapshot.tombstones.values()].map((r) => [fileKey(r), r]));
  const files: string[] = [];
  let bytes = 0;
  for await (const meta of table.store.list('')) {
    if (!isDataKey(meta.key) || active.has(meta.key)) continue;
    const tomb = tombstones.get(meta.key);
    // A removed file ages from its removal; an orphan from its own modification time.
    const since = tomb?.deletionTimestamp ?? meta.lastModified.getTime();
    if (since >= cutoff) continue;
    files.push(meta.key);
    bytes += meta.size;
  }
  let incompleteWrites = 0;
  if (!options.dryRun) {
    for (const key of files) await table.store.delete(key);
    incompleteWrites = await table.store.removeIncompleteWrites('', new Date(cutoff));
  }
  return { files, bytes, dryRun: Boolean(options.dryRun), incompleteWrites };
}
