/** Errors shared by the table formats (Delta, Iceberg): schema enforcement and optimistic-commit outcomes. */
import { LakehouseError } from '../errors.js';

/** A batch that does not fit the table schema. */
export class SchemaEnforcementError extends LakehouseError {
  /** The offending column. */
  readonly column: string;
  constructor(column: string, message: string) {
    super('schema_mismatch', 'terminal', message);
    this.column = column;
  }
}

/**
 * A concurrent commit changed what this operation read or removed, so its commit cannot be
 * reordered after the winner. Transient: running the whole operation again on the new snapshot may succeed.
 */
export class ConcurrentModificationError extends LakehouseError {
  /** Version of the winning commit that conflicted (Delta: log version; Iceberg: sequence number). */
  readonly winningVersion: number;
  constructor(message: string, winningVersion: number) {
    super('concurrent_modification', 'transient', message);
    this.winningVersion = winningVersion;
  }
}

/** Gave up after the retry limit while other writers kept winning the next version. */
export class CommitRetriesExhaustedError extends LakehouseError {
  constructor(attempts: number, location: string) {
    super('commit_retries_exhausted', 'transient', `gave up committing to ${location} after ${attempts} attempts`);
  }
}
