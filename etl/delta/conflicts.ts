/**
 * Whether a commit that lost the race for a version can be re-ordered after the winners
 * (a simplified form of Delta's optimistic-concurrency conflict rules).
 */
import type { Action } from './actions.js';
import { ConcurrentModificationError } from './errors.js';

/** What an operation read and changed, for conflict detection. */
export interface ReadScope {
  /** True when the commit only adds files and read nothing: it never conflicts with data changes. */
  blindAppend: boolean;
  /** Partitions whose new files would change the operation's result (undefined: none; a function of partitionValues). */
  readPartitions?: (partitionValues: Record<string, string | null>) => boolean;
  /** Paths of files the operation read. */
  readFiles: Set<string>;
  /** Paths of files the operation removes. */
  removedFiles: Set<string>;
  /** The idempotency key of the batch, if any. */
  txn?: { appId: string; version: number };
}

/** Outcome of checking one winning commit. */
export type ConflictOutcome = 'compatible' | 'already-committed';

/** Check one winning commit against our scope; throws ConcurrentModificationError on a real conflict. */
export function checkWinner(scope: ReadScope, winner: Action[], winnerVersion: number): ConflictOutcome {
  for (const action of winner) {
    if ('txn' in action && scope.txn && action.txn.appId === scope.txn.appId && action.txn.version >= scope.txn.version) {
      return 'already-committed';
    }
  }
  for (const action of winner) {
    if ('metaData' in action || 'protocol' in action) {
      throw new ConcurrentModificationError(`version ${winnerVersion} changed the table metadata or protocol`, winnerVersion);
    }
    if ('remove' in action) {
      const path = action.remove.path;
      if (scope.removedFiles.has(path)) {
        throw new ConcurrentModificationError(`version ${winnerVersion} also removed ${path}`, winnerVersion);
      }
      if (scope.readFiles.has(path)) {
        throw new ConcurrentModificationError(`version ${winnerVersion} removed ${path}, which this operation read`, winnerVersion);
      }
    }
    if ('add' in action && action.add.dataChange && !scope.blindAppend && scope.readPartitions?.(action.add.partitionValues)) {
      throw new ConcurrentModificationError(
        `version ${winnerVersion} added ${action.add.path} in a partition this operation read`,
        winnerVersion,
      );
    }
  }
  return 'compatible';
}
