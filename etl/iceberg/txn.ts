/**
 * Exactly-once ingestion on Iceberg: a batch commits with an idempotency key (app id + batch version),
 * recorded in the snapshot summary as `lakehouse.txn.<appId> = <version>`. Every snapshot this project
 * writes carries forward the keys of its parent, so the current snapshot alone answers "was this batch
 * committed?" (O(1)). Snapshots written by other engines carry nothing; the check then walks back to
 * the newest snapshot this project wrote.
 */
import { ancestors, currentSnapshot, type Snapshot, type TableMetadata } from './table-metadata.js';

/** Summary key prefix of idempotency keys. */
export const TXN_PREFIX = 'lakehouse.txn.';

/** `engine-name` written in every snapshot summary this project produces. */
export const ENGINE_NAME = 'lakehouse-etl';

/** An idempotency key: the batch `version` of application `appId` (versions only grow). */
export interface TxnKey {
  /** Application (pipeline, dataset) id. */
  appId: string;
  /** Batch version; a version at or below the committed one is a replay. */
  version: number;
}

/** The latest committed batch version per app id, as of `snapshot` (the current one by default). */
export function committedTxns(metadata: TableMetadata, snapshot: Snapshot | undefined = currentSnapshot(metadata)): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of ancestors(metadata, snapshot)) {
    if (s.summary['engine-name'] !== ENGINE_NAME) continue; // another engine's snapshot carries no keys
    for (const [k, v] of Object.entries(s.summary)) {
      if (k.startsWith(TXN_PREFIX)) out.set(k.slice(TXN_PREFIX.length), Number(v));
    }
    break;
  }
  return out;
}

/** True when `txn`'s version (or a later one) of its app id is already committed. */
export function isCommitted(metadata: TableMetadata, txn: TxnKey | undefined): boolean {
  if (!txn) return false;
  const seen = committedTxns(metadata).get(txn.appId);
  return seen !== undefined && seen >= txn.version;
}

/** The txn summary properties of the next snapshot: the parent's keys, updated with `txn`. */
export function txnSummary(metadata: TableMetadata, txn: TxnKey | undefined): Record<string, string> {
  const keys = committedTxns(metadata);
  if (txn) keys.set(txn.appId, Math.max(txn.version, keys.get(txn.appId) ?? -Infinity));
  const out: Record<string, string> = {};
  for (const [appId, version] of keys) out[`${TXN_PREFIX}${appId}`] = String(version);
  return out;
}
