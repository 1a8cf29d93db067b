/**
 * Remove orphan files: files under the table's `data/` and `metadata/` folders that no valid snapshot
 * and no listed metadata file references — left by writers that crashed, lost a race or failed — once
 * they are older than the retention (so commits under way are not robbed). Also reclaims unfinished
 * writes (a local folder's temp files, S3 multipart uploads) older than the retention.
 */
import { UsageError } from '../../errors.js';
import { referencedFiles } from '../reachable-files.js';
import type { IcebergTable } from '../table.js';

/** Options of removeOrphanFiles. */
export interface RemoveOrphanFilesOptions {
  /** Only files last modified before this time (ms) are removed (default: 3 days before the clock's now). */
  olderThanMs?: number;
  /** List what would be removed without removing it. */
  dryRun?: boolean;
}

/** What removeOrphanFiles did. */
export interface RemoveOrphanFilesMetrics {
  /** Keys (relative to the table root) removed, or that would be in a dry run. */
  files: string[];
  /** Their bytes. */
  bytes: number;
  /** Unfinished writes removed. */
  incompleteWrites: number;
  /** True for a dry run. */
  dryRun: boolean;
}

/** Default retention of unreferenced files: 3 days, as Iceberg's Java action. */
export const DEFAULT_ORPHAN_RETENTION_MS = 3 * 86_400_000;

/** Delete unreferenced files under `data/` and `metadata/` older than the retention. */
export async function removeOrphanFiles(table: IcebergTable, options: RemoveOrphanFilesOptions = {}): Promise<RemoveOrphanFilesMetrics> {
  const metadata = await table.refresh();
  const cutoff = options.olderThanMs ?? table.clock.now() - DEFAULT_ORPHAN_RETENTION_MS;
  if (!Number.isFinite(cutoff)) throw new UsageError(`invalid olderThanMs ${String(options.olderThanMs)}`);
  const refs = await referencedFiles(table, metadata.snapshots);
  const referenced = new Set<string>();
  const add = (uri: string) => {
    const key = table.files.keyOf(uri);
    if (key !== undefined) referenced.add(key);
  };
  add(table.metadataLocation);
  for (const entry of metadata['metadata-log']) add(entry['metadata-file']);
  for (const set of [refs.manifestLists, refs.manifests, refs.allData]) for (const uri of set) add(uri);
  const files: string[] = [];
  let bytes = 0;
  for (const prefix of ['data/', 'metadata/']) {
    for await (const meta of table.store.list(prefix)) {
      if (referenced.has(meta.key) || meta.lastModified.getTime() >= cutoff) continue;
      files.push(meta.key);
      bytes += meta.size;
    }
  }
  let incompleteWrites = 0;
  if (!options.dryRun) {
    for (const key of files) await table.store.delete(key);
    incompleteWrites = await table.store.removeIncompleteWrites('', new Date(cutoff));
  }
  return { files, bytes, incompleteWrites, dryRun: Boolean(options.dryRun) };
}
