/**
 * Expire snapshots (spec: "Snapshot Retention Policy"): the current snapshot and its newest `retainLast`
 * ancestors are kept, and so is every ancestor newer than `olderThanMs`; other snapshots leave the
 * metadata (and the snapshot log is trimmed before the last expired one). Then the files only expired
 * snapshots referenced — data files, manifests, manifest lists — are deleted.
 */
import { commitMetadata } from '../commit.js';
import { referencedFiles } from '../reachable-files.js';
import type { IcebergTable } from '../table.js';
import { ancestors, type Snapshot, type TableMetadata } from '../table-metadata.js';

/** Options of expireSnapshots. */
export interface ExpireSnapshotsOptions {
  /** Snapshots older than this (ms since the epoch) may expire (default: 5 days before the clock's now). */
  olderThanMs?: number;
  /** Newest ancestors of the current snapshot always kept, the current one included (default 1). */
  retainLast?: number;
  /** Only report what would be expired and deleted. */
  dryRun?: boolean;
}

/** What expireSnapshots did. */
export interface ExpireSnapshotsMetrics {
  /** Snapshots removed from the metadata. */
  expiredSnapshotIds: bigint[];
  /** Data files deleted (URIs). */
  deletedDataFiles: string[];
  /** Manifests deleted (URIs). */
  deletedManifests: string[];
  /** Manifest lists deleted (URIs). */
  deletedManifestLists: string[];
  /** True for a dry run. */
  dryRun: boolean;
}

/** Default age after which snapshots may expire: 5 days (as `history.expire.max-snapshot-age-ms`). */
export const DEFAULT_MAX_SNAPSHOT_AGE_MS = 5 * 86_400_000;

/** Which snapshots of `metadata` expire under the policy. */
function expiring(metadata: TableMetadata, olderThanMs: number, retainLast: number): Snapshot[] {
  const keep = new Set<bigint>();
  ancestors(metadata).forEach((s, i) => {
    if (i < retainLast || s['timestamp-ms'] >= olderThanMs) keep.add(s['snapshot-id']);
  });
  for (const ref of Object.values(metadata.refs)) keep.add(ref['snapshot-id']);
  return metadata.snapshots.filter((s) => !keep.has(s['snapshot-id']) && s['timestamp-ms'] < olderThanMs);
}

/** The metadata without `expired` (snapshot log trimmed up to the last expired entry). */
function withoutSnapshots(metadata: TableMetadata, expired: Set<bigint>, now: number): TableMetadata {
  const log = metadata['snapshot-log'];
  let cut = 0;
  log.forEach((entry, i) => {
    if (expired.has(entry['snapshot-id'])) cut = i + 1;
  });
  return {
    ...metadata,
    'last-updated-ms': Math.max(now, metadata['last-updated-ms'] + 1),
    snapshots: metadata.snapshots.filter((s) => !expired.has(s['snapshot-id'])),
    'snapshot-log': log.slice(cut),
  };
}

/** Expire old snapshots and delete the files only they referenced. */
export async function expireSnapshots(table: IcebergTable, options: ExpireSnapshotsOptions = {}): Promise<ExpireSnapshotsMetrics> {
  await table.refresh();
  const olderThanMs = options.olderThanMs ?? table.clock.now() - DEFAULT_MAX_SNAPSHOT_AGE_MS;
  const retainLast = Math.max(1, options.retainLast ?? 1);
  const dryRun = Boolean(options.dryRun);
  let expired: Snapshot[] = [];
  let before: TableMetadata = table.metadata;
  if (dryRun) {
    expired = expiring(before, olderThanMs, retainLast);
  } else {
    const outcome = await commitMetadata(
      table,
      async (base) => {
        before = base;
        expired = expiring(base, olderThanMs, retainLast);
        if (expired.length === 0) return 'skip';
        return withoutSnapshots(base, new Set(expired.map((s) => s['snapshot-id'])), table.clock.now());
      },
      table.options.commit,
    );
    if (outcome.skipped) expired = [];
  }
  const metrics: ExpireSnapshotsMetrics = { expiredSnapshotIds: expired.map((s) => s['snapshot-id']), deletedDataFiles: [], deletedManifests: [], deletedManifestLists: [], dryRun };
  if (expired.length === 0) return metrics;
  const expiredIds = new Set(metrics.expiredSnapshotIds);
  const retained = referencedFiles(table, before.snapshots.filter((s) => !expiredIds.has(s['snapshot-id'])));
  const gone = referencedFiles(table, expired);
  const [keep, drop] = await Promise.all([retained, gone]);
  metrics.deletedManifestLists = [...drop.manifestLists].filter((p) => !keep.manifestLists.has(p));
  metrics.deletedManifests = [...drop.manifests].filter((p) => !keep.manifests.has(p));
  metrics.deletedDataFiles = [...drop.allData].filter((p) => !keep.liveData.has(p));
  if (!dryRun) {
    for (const uri of [...metrics.deletedDataFiles, ...metrics.deletedManifests, ...metrics.deletedManifestLists]) {
      await table.files.delete(uri);
    }
  }
  return metrics;
}
