/** Typed errors of the Parquet layer. All are terminal: retrying the same call cannot change the outcome. */
import { LakehouseError } from '../errors.js';

/** A batch or table does not have the columns or types the writer or reader was told to expect. */
export class SchemaMismatchError extends LakehouseError {
  /** Name of the offending column (dotted path for nested fields), when one column is to blame. */
  readonly column: string | undefined;

  /**
   * @param message What does not match; should name the column.
   * @param column The offending column, if any.
   * @param options The underlying error, if any.
   */
  constructor(message: string, column?: string, options?: { cause?: unknown }) {
    super('schema_mismatch', 'terminal', message, options);
    this.column = column;
  }
}

/** parquet-wasm refused to encode a table (usually an Arrow type Parquet cannot hold). */
export class ParquetEncodeError extends LakehouseError {
  /** @param message What failed, with parquet-wasm's own message. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('parquet_encode', 'terminal', message, options);
  }
}

/** Bytes that should be a Parquet file could not be decoded (truncated, corrupt, not Parquet). */
export class ParquetDecodeError extends LakehouseError {
  /** @param message What failed and where the bytes came from. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('parquet_decode', 'terminal', message, options);
  }
}
