/** Typed errors of the transaction-pattern pipeline; each says whether a retry can help. */
import { LakehouseError } from '../../etl/errors.js';

/** The source file no longer matches the recorded ingest position (shrunk or replaced): terminal. */
export class SourceChangedError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('source_changed', 'terminal', message, options);
  }
}

/** A chunk or its state is not where exactly-once processing expects it (gap, wrong order): terminal. */
export class ChunkSequenceError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('chunk_sequence', 'terminal', message, options);
  }
}

/** The PostgreSQL state store failed; transient when the connection broke, terminal otherwise. */
export class StateStoreError extends LakehouseError {
  constructor(message: string, transient: boolean, options?: { cause?: unknown }) {
    super('state_store', transient ? 'transient' : 'terminal', message, options);
  }
}

/** An input file lacks a required column or is not CSV: terminal. */
export class InputFormatError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('input_format', 'terminal', message, options);
  }
}
