/** Errors of the Delta table layer. */
import { LakehouseError } from '../errors.js';

/** No Delta table at the location (no `_delta_log/` commits). */
export class TableNotFoundError extends LakehouseError {
  constructor(location: string) {
    super('table_not_found', 'terminal', `no Delta table at ${location} (no _delta_log commits)`);
  }
}

/** Creating a table where one already exists. */
export class TableExistsError extends LakehouseError {
  constructor(location: string) {
    super('table_exists', 'terminal', `a Delta table already exists at ${location}`);
  }
}

/** The table needs a protocol version or feature this implementation does not support. */
export class UnsupportedProtocolError extends LakehouseError {
  constructor(message: string) {
    super('unsupported_protocol', 'terminal', message);
  }
}

/** The log is not what the protocol says it must be (a missing version, an unparsable line). */
export class CorruptLogError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('corrupt_log', 'terminal', message, options);
  }
}

/**
 * A concurrent commit changed what this operation read or removed, so its commit cannot be
 * reordered after the winner. Transient: running the whole operation again on the new snapshot may succeed.
 */
export class ConcurrentModificationError extends LakehouseError {
  /** Version of the winning commit that conflicted. */
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

/** A batch that does not fit the table schema. */
export class SchemaEnforcementError extends LakehouseError {
  /** The offending column. */
  readonly column: string;
  constructor(column: string, message: string) {
    super('schema_mismatch', 'terminal', message);
    this.column = column;
  }
}
