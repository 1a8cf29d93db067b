/** The end of every operation: commit through the optimistic loop, refresh the handle, checkpoint when due. */
import { checkpointDue, writeCheckpoint } from '../checkpoint-writer.js';
import type { DeltaTable } from '../table.js';
import { commit, type CommitRequest, type CommitResult } from '../transaction.js';

/** Commit `request` on `table`, then refresh it and write a checkpoint when the interval says so. */
export async function finishCommit(table: DeltaTable, request: CommitRequest): Promise<CommitResult> {
  const result = await commit(table.log, request, { ...table.options.commit, clock: table.clock });
  await table.refresh();
  if (!result.skipped && checkpointDue(table.snapshot, result.version)) {
    const snapshot = await table.snapshotAt(result.version);
    // A failed checkpoint never fails the commit: readers replay the JSON commits instead.
    await writeCheckpoint(table.log, snapshot, table.clock).catch(() => undefined);
  }
  return result;
}
