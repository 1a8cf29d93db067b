/**
 * Producing and committing a snapshot from a change (files added, files removed). On each attempt the
 * change is re-applied to the freshest metadata: new files go in one manifest written once (its entries
 * inherit the sequence number from the manifest list, so it is valid at any sequence number — a fast
 * append); manifests holding removed files are rewritten with those entries marked DELETED and the
 * others EXISTING; the rest are reused as they are. Then a new manifest list and snapshot.
 * Before re-applying, the commits that won meanwhile are checked: the operation's `validate` decides
 * whether they conflict, and a removed file that is no longer live always does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CommitRetriesExhaustedError, ConcurrentModificationError } from '../table/errors.js';
import { commitMetadata, type CommitOptions } from './commit.js';
import { ADDED, DELETED, EXISTING, encodeManifest, partitionTypes, type DataFile, type ManifestEntry } from './manifest.js';
import { describeManifest, encodeManifestList, hasLiveFiles, type ManifestFile } from './manifest-list.js';
import { partitionKey } from './partition-spec.js';
import type { IcebergTable } from './table.js';
import { ancestors, currentSchema, currentSnapshot, specById, type Snapshot, type SnapshotOperation, type TableMetadata } from './table-metadata.js';
import { ENGINE_NAME, isCommitted, txnSummary, type TxnKey } from './txn.js';

/** What the commits that won since an operation read the table changed. */
export interface WinnerChanges {
  /** The winning snapshots, oldest first. */
  snapshots: Snapshot[];
  /** Data files they added. */
  added: DataFile[];
  /** Data files they removed. */
  deleted: DataFile[];
}

/** A change to commit as one snapshot. */
export interface SnapshotChange {
  /** Summary operation. */
  operation: SnapshotOperation;
  /** New data files (already written). */
  added: DataFile[];
  /** Live data files of the read snapshot that the snapshot removes. */
  removed: DataFile[];
  /** The snapshot the operation planned against (undefined: the empty table). */
  readSnapshotId: bigint | undefined;
  /** Idempotency key: skip the commit when this batch version is already committed. */
  txn?: TxnKey;
  /** Extra summary properties. */
  summary?: Record<string, string>;
  /** Throw `ConcurrentModificationError` when the winners' changes invalidate this one. */
  validate?: (winners: WinnerChanges) => void;
}

/** The outcome of committing a change. */
export interface SnapshotCommit {
  /** True when the txn was already committed (nothing was committed; the new files were deleted). */
  skipped: boolean;
  /** The new snapshot (undefined when skipped). */
  snapshot?: Snapshot;
  /** The table's sequence number after the commit. */
  sequenceNumber: number;
  /** Attempts made. */
  attempts: number;
}

/** A positive 63-bit snapshot id not used by the table. */
function newSnapshotId(metadata: TableMetadata): bigint {
  for (;;) {
    const id = BigInt.asUintN(63, randomBytes(8).readBigUInt64LE());
    if (id !== 0n && !metadata.snapshots.some((s) => s['snapshot-id'] === id)) return id;
  }
}

/** The data files added and removed by each snapshot after `since` up to the current one. */
export async function changesSince(table: IcebergTable, metadata: TableMetadata, since: bigint | undefined): Promise<WinnerChanges> {
  const chain = ancestors(metadata);
  const stop = since === undefined ? chain.length : chain.findIndex((s) => s['snapshot-id'] === since);
  if (stop < 0) {
    throw new ConcurrentModificationError(`the snapshot this operation read (${since}) is no longer an ancestor of the current one`, metadata['last-sequence-number']);
  }
  const snapshots = chain.slice(0, stop).reverse();
  const added: DataFile[] = [];
  const deleted: DataFile[] = [];
  for (const s of snapshots) {
    const id = s['snapshot-id'];
    for (const m of await table.manifestList(s)) {
      if (m.addedSnapshotId !== id) continue;
      for (const e of await table.manifestEntries(m)) {
        if (e.snapshotId !== id) continue;
        if (e.status === ADDED) added.push(e.dataFile);
        else if (e.status === DELETED) deleted.push(e.dataFile);
      }
    }
  }
  return { snapshots, added, deleted };
}

function sum(files: DataFile[], pick: (f: DataFile) => number): number {
  return files.reduce((n, f) => n + pick(f), 0);
}

/** Commit `change` as a new snapshot of `table` (re-applied on lost races; see the module comment). */
export async function commitSnapshot(table: IcebergTable, change: SnapshotChange, options: CommitOptions = {}): Promise<SnapshotCommit> {
  const snapshotId = newSnapshotId(table.metadata);
  const removedPaths = new Set(change.removed.map((f) => f.filePath));
  const written = new Set<string>(); // keys this commit wrote (manifests, manifest lists)
  let dataManifest: { uri: string; length: number; entries: ManifestEntry[] } | undefined;
  const rewritten = new Map<string, { uri: string; length: number; entries: ManifestEntry[] }>();
  let finalList: string | undefined;

  const writeManifest = async (metadata: TableMetadata, specId: number, entries: ManifestEntry[]) => {
    const bytes = encodeManifest(currentSchema(metadata), specById(metadata, specId), entries);
    const key = `metadata/${randomUUID()}-m${written.size}.avro`;
    await table.store.putIfAbsent(key, bytes);
    written.add(key);
    return { uri: table.files.uriOf(key), length: bytes.byteLength, entries };
  };

  const build = async (base: TableMetadata, attempt: number): Promise<TableMetadata | 'skip'> => {
    if (isCommitted(base, change.txn)) return 'skip';
    const parent = currentSnapshot(base);
    if (parent?.['snapshot-id'] !== change.readSnapshotId) {
      const winners = await changesSince(table, base, change.readSnapshotId);
      const seq = base['last-sequence-number'];
      const gone = winners.deleted.find((f) => removedPaths.has(f.filePath));
      if (gone) throw new ConcurrentModificationError(`a concurrent commit also removed ${gone.filePath}`, seq);
      change.validate?.(winners);
    }
    const sequenceNumber = base['last-sequence-number'] + 1;
    const schema = currentSchema(base);
    const manifests: ManifestFile[] = [];
    if (change.added.length > 0) {
      const specId = change.added[0]!.specId;
      dataManifest ??= await writeManifest(
        base,
        specId,
        change.added.map((dataFile) => ({ status: ADDED, snapshotId, sequenceNumber: null, fileSequenceNumber: null, dataFile })),
      );
      const types = partitionTypes(specById(base, specId), schema);
      manifests.push(describeManifest(dataManifest.uri, dataManifest.length, specId, types, dataManifest.entries, snapshotId, sequenceNumber));
    }
    const found = new Set<string>();
    for (const m of parent ? await table.manifestList(parent) : []) {
      if (!hasLiveFiles(m)) continue;
      if (removedPaths.size === 0) {
        manifests.push(m);
        continue;
      }
      const live = (await table.manifestEntries(m)).filter((e) => e.status !== DELETED);
      const hits = live.filter((e) => removedPaths.has(e.dataFile.filePath));
      if (hits.length === 0) {
        manifests.push(m);
        continue;
      }
      for (const e of hits) found.add(e.dataFile.filePath);
      let r = rewritten.get(m.manifestPath);
      if (!r) {
        const entries = live.map((e) =>
          removedPaths.has(e.dataFile.filePath)
            ? { ...e, status: DELETED, snapshotId }
            : { ...e, status: EXISTING },
        );
        r = await writeManifest(base, m.partitionSpecId, entries);
        rewritten.set(m.manifestPath, r);
      }
      const types = partitionTypes(specById(base, m.partitionSpecId), schema);
      manifests.push(describeManifest(r.uri, r.length, m.partitionSpecId, types, r.entries, snapshotId, sequenceNumber));
    }
    if (found.size < removedPaths.size) {
      const missing = [...removedPaths].find((p) => !found.has(p));
      throw new ConcurrentModificationError(`${missing} is no longer live: a concurrent commit removed it`, base['last-sequence-number']);
    }

    const listKey = `metadata/snap-${snapshotId}-${attempt}-${randomUUID()}.avro`;
    const listBytes = encodeManifestList(manifests, { snapshotId, parentSnapshotId: parent?.['snapshot-id'], sequenceNumber });
    await table.store.putIfAbsent(listKey, listBytes);
    if (finalList) await table.store.delete(finalList).catch(() => undefined); // the previous attempt's list
    written.add(listKey);
    finalList = listKey;

    const now = Math.max(table.clock.now(), base['last-updated-ms'] + 1);
    const summary = await snapshotSummary(table, base, parent, manifests, change, snapshotId);
    const snapshot: Snapshot = {
      'snapshot-id': snapshotId,
      ...(parent ? { 'parent-snapshot-id': parent['snapshot-id'] } : {}),
      'sequence-number': sequenceNumber,
      'timestamp-ms': now,
      'manifest-list': table.files.uriOf(listKey),
      summary,
      'schema-id': schema['schema-id'],
    };
    return {
      ...base,
      'last-sequence-number': sequenceNumber,
      'last-updated-ms': now,
      'current-snapshot-id': snapshotId,
      snapshots: [...base.snapshots, snapshot],
      'snapshot-log': [...base['snapshot-log'], { 'snapshot-id': snapshotId, 'timestamp-ms': now }],
      refs: { ...base.refs, main: { ...(base.refs.main ?? {}), 'snapshot-id': snapshotId, type: 'branch' } },
    };
  };

  const discard = async (keys: Iterable<string>, files: DataFile[]) => {
    await Promise.all([...keys].map((k) => table.store.delete(k).catch(() => undefined)));
    await Promise.all(files.map((f) => table.files.delete(f.filePath).catch(() => undefined)));
  };

  let outcome;
  try {
    outcome = await commitMetadata(table, build, options);
  } catch (err) {
    // A conflict or exhausted retries: nothing of this commit is referenced. Other errors (an unknown
    // swap outcome) leave the files for orphan removal.
    if (err instanceof ConcurrentModificationError || err instanceof CommitRetriesExhaustedError) {
      await discard(written, change.added);
    }
    throw err;
  }
  if (outcome.skipped) {
    await discard(written, change.added);
    return { skipped: true, sequenceNumber: outcome.metadata['last-sequence-number'], attempts: outcome.attempts };
  }
  // Manifests rewritten in earlier attempts that the final list does not use.
  const snapshot = currentSnapshot(outcome.metadata)!;
  const listed = new Set((await table.manifestList(snapshot)).map((m) => m.manifestPath));
  await discard([...written].filter((k) => k !== finalList && !listed.has(table.files.uriOf(k))), []);
  return { skipped: false, snapshot, sequenceNumber: snapshot['sequence-number'], attempts: outcome.attempts };
}

/** The summary of a new snapshot: operation, metrics, totals, engine, carried idempotency keys. */
async function snapshotSummary(
  table: IcebergTable,
  base: TableMetadata,
  parent: Snapshot | undefined,
  manifests: ManifestFile[],
  change: SnapshotChange,
  snapshotId: bigint,
): Promise<Snapshot['summary']> {
  const addedRecords = sum(change.added, (f) => f.recordCount);
  const addedSize = sum(change.added, (f) => f.fileSizeInBytes);
  const removedRecords = sum(change.removed, (f) => f.recordCount);
  const removedSize = sum(change.removed, (f) => f.fileSizeInBytes);
  const partitions = new Set([...change.added, ...change.removed].map((f) => partitionKey(f.specId, f.partition)));
  const summary: Snapshot['summary'] = { operation: change.operation };
  if (change.added.length) {
    summary['added-data-files'] = String(change.added.length);
    summary['added-records'] = String(addedRecords);
    summary['added-files-size'] = String(addedSize);
  }
  if (change.removed.length) {
    summary['deleted-data-files'] = String(change.removed.length);
    summary['deleted-records'] = String(removedRecords);
    summary['removed-files-size'] = String(removedSize);
  }
  summary['changed-partition-count'] = String(partitions.size);
  const p = parent?.summary;
  let totals: [number, number, number];
  if (!parent) totals = [0, 0, 0];
  else if (p?.['total-records'] !== undefined && p['total-data-files'] !== undefined && p['total-files-size'] !== undefined) {
    totals = [Number(p['total-records']), Number(p['total-data-files']), Number(p['total-files-size'])];
  } else {
    // The parent (another engine's snapshot) has no totals: count its live files.
    totals = [0, 0, 0];
    for (const m of await table.manifestList(parent)) {
      for (const e of await table.manifestEntries(m)) {
        if (e.status === DELETED) continue;
        totals[0] += e.dataFile.recordCount;
        totals[1] += 1;
        totals[2] += e.dataFile.fileSizeInBytes;
      }
    }
  }
  summary['total-records'] = String(totals[0] + addedRecords - removedRecords);
  summary['total-data-files'] = String(totals[1] + change.added.length - change.removed.length);
  summary['total-files-size'] = String(totals[2] + addedSize - removedSize);
  summary['total-delete-files'] = '0';
  summary['total-position-deletes'] = '0';
  summary['total-equality-deletes'] = '0';
  const created = manifests.filter((m) => m.addedSnapshotId === snapshotId).length;
  summary['manifests-created'] = String(created);
  summary['manifests-kept'] = String(manifests.length - created);
  summary['engine-name'] = ENGINE_NAME;
  Object.assign(summary, change.summary ?? {}, txnSummary(base, change.txn));
  return summary;
}
