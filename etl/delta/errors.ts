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

/** Shared with the other table formats (defined in etl/table/errors.ts). */
export { CommitRetriesExhaustedError, ConcurrentModificationError, SchemaEnforcementError } from '../table/errors.js';
