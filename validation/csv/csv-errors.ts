/** Errors of the CSV reader. Bad data rows are never thrown: they are reported in `CsvBatch.malformed`. */
import { LakehouseError } from '../../etl/errors.js';

/**
 * The file cannot be read as CSV at all: its header row is malformed (an unclosed or stray quote,
 * invalid UTF-8) or the gzip stream is corrupt. Terminal: the same bytes fail the same way.
 */
export class CsvFormatError extends LakehouseError {
  /** Makes the error; `cause` is the underlying error, e.g. zlib's. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('csv_format', 'terminal', message, options);
  }
}
