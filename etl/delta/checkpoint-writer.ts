/** Writing the checkpoint of a version and the `_last_checkpoint` hint. */
import type { Clock } from '../clock.js';
import type { Action } from './actions.js';
import { encodeCheckpoint } from './checkpoint.js';
import type { LogStore } from './log-store.js';
import type { Snapshot } from './snapshot.js';

/** Default checkpoint interval (Spark's `delta.checkpointInterval`). */
export const DEFAULT_CHECKPOINT_INTERVAL = 10;

/** Parse a Delta interval property such as `interval 7 days` or `interval 168 hours` into ms. */
export function parseInterval(text: string): number | undefined {
  const m = /^\s*interval\s+(\d+)\s+(millisecond|second|minute|hour|day|week)s?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { millisecond: 1, second: 1e3, minute: 6e4, hour: 3.6e6, day: 8.64e7, week: 6.048e8 }[m[2]!.toLowerCase() as 'day'];
  return Number(m[1]) * unit;
}

/** Tombstones older than this are dropped from checkpoints (`delta.deletedFileRetentionDuration`, 1 week). */
export function tombstoneRetentionMs(snapshot: Snapshot): number {
  return parseInterval(snapshot.property('delta.deletedFileRetentionDuration', 'interval 1 week')) ?? 6.048e8;
}

/** True when a checkpoint is due after committing `version`. */
export function checkpointDue(snapshot: Snapshot, version: number): boolean {
  const interval = Number(snapshot.property('delta.checkpointInterval', String(DEFAULT_CHECKPOINT_INTERVAL)));
  return version > 0 && interval > 0 && version % interval === 0;
}

/** The actions a checkpoint of `snapshot` holds. */
export function checkpointActions(snapshot: Snapshot, clock: Clock): Action[] {
  const cutoff = clock.now() - tombstoneRetentionMs(snapshot);
  const actions: Action[] = [{ protocol: snapshot.protocol }, { metaData: snapshot.metadata }];
  for (const txn of snapshot.txns.values()) actions.push({ txn });
  for (const add of snapshot.files.values()) actions.push({ add });
  for (const remove of snapshot.tombstones.values()) {
    if ((remove.deletionTimestamp ?? 0) > cutoff) actions.push({ remove });
  }
  return actions;
}

/** Write the checkpoint of `snapshot` and point `_last_checkpoint` at it (unless a newer one is there). */
export async function writeCheckpoint(log: LogStore, snapshot: Snapshot, clock: Clock): Promise<void> {
  const actions = checkpointActions(snapshot, clock);
  await log.store.put(log.checkpointKey(snapshot.version), encodeCheckpoint(actions));
  const current = await log.readLastCheckpoint();
  if (!current || current.version < snapshot.version) {
    await log.writeLastCheckpoint({ version: snapshot.version, size: actions.length });
  }
}
