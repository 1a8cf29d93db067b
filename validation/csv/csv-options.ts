/**
 * Options of the CSV reader, and their checked, byte-level form used by the tokenizer.
 */
import { UsageError } from '../../etl/errors.js';

/** What a caller may set when opening a CSV file. Every member is optional. */
export interface CsvOptions {
  /** Field separator: one ASCII character (a single byte), e.g. `,` `|` `;` or `\t`. Default `,`. */
  delimiter?: string;
  /** Quote character: one ASCII character; inside a quoted field it is escaped by doubling it. Default `"`. */
  quote?: string;
  /**
   * Text that stands for null when it appears unquoted. Default `''`: an unquoted empty field is null,
   * while a quoted empty field `""` is the empty string.
   */
  nullToken?: string;
  /** Most rows (good + malformed + skipped blank lines) per batch. Default 65,536. */
  batchRows?: number;
  /** Text encoding of the file; only UTF-8 is supported. */
  encoding?: 'utf-8' | 'utf8';
}

/** The options after defaults and checks, in the form the hot loops use. */
export interface ResolvedCsvOptions {
  /** Delimiter byte. */
  readonly delimiter: number;
  /** Quote byte. */
  readonly quote: number;
  /** Null token as UTF-8 bytes (empty by default). */
  readonly nullToken: Uint8Array;
  /** Null token as text. */
  readonly nullTokenText: string;
  /** Most rows per batch. */
  readonly batchRows: number;
}

/** Default number of rows per batch. */
export const DEFAULT_BATCH_ROWS = 65_536;

const LF = 0x0a;
const CR = 0x0d;

function singleByte(name: string, value: string): number {
  if (value.length !== 1 || value.charCodeAt(0) >= 0x80) {
    throw new UsageError(`CSV option ${name} must be one ASCII character, got ${JSON.stringify(value)}`);
  }
  const b = value.charCodeAt(0);
  if (b === LF || b === CR) throw new UsageError(`CSV option ${name} cannot be a line break`);
  return b;
}

/** Applies defaults and checks `options`; throws `UsageError` for a value the reader cannot honour. */
export function resolveCsvOptions(options: CsvOptions = {}): ResolvedCsvOptions {
  const delimiter = singleByte('delimiter', options.delimiter ?? ',');
  const quote = singleByte('quote', options.quote ?? '"');
  if (delimiter === quote) throw new UsageError('CSV options delimiter and quote must differ');
  const encoding = options.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'utf8') {
    throw new UsageError(`CSV encoding ${String(encoding)} is not supported; only UTF-8 is`);
  }
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 1 << 24) {
    throw new UsageError(`CSV option batchRows must be an integer in 1..16777216, got ${batchRows}`);
  }
  const nullTokenText = options.nullToken ?? '';
  const nullToken = new TextEncoder().encode(nullTokenText);
  for (const b of nullToken) {
    if (b === delimiter || b === quote || b === LF || b === CR) {
      throw new UsageError('CSV option nullToken cannot contain the delimiter, the quote or a line break');
    }
  }
  return { delimiter, quote, nullToken, nullTokenText, batchRows };
}
