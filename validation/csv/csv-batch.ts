/**
 * The unit the tokenizer hands out: a run of rows as one byte buffer plus field offsets, column by column.
 * Nothing here is a string until a decoder asks for one.
 */

/** Field flag bit: the field was enclosed in quotes (a quoted empty field is the empty string, not null). */
export const FIELD_QUOTED = 1;
/** Field flag bit: the quoted field contains doubled quotes, so its bytes need unescaping. */
export const FIELD_ESCAPED = 2;
/** Field flag bit: the field contains bytes >= 0x80 (multi-byte UTF-8, already checked to be valid). */
export const FIELD_NON_ASCII = 4;

/** Where one column's fields lie in `CsvBatch.bytes`, one entry per good row of the batch. */
export interface CsvColumnFields {
  /** Offset of each field's first byte in `bytes` (after the opening quote for a quoted field). */
  readonly starts: Uint32Array;
  /** Offset just past each field's last byte in `bytes` (before the closing quote). */
  readonly ends: Uint32Array;
  /** Bit set per field: `FIELD_QUOTED`, `FIELD_ESCAPED`, `FIELD_NON_ASCII`. */
  readonly flags: Uint8Array;
}

/** A row that was not put in the columns, and why. */
export interface MalformedRow {
  /** 1-based physical line on which the row starts (the header is line 1). */
  line: number;
  /** 1-based column the problem was found in, when it is about one field. */
  column?: number;
  /** What is wrong, e.g. `expected 9 fields, found 8` or `invalid UTF-8 at byte 1234`. */
  reason: string;
  /**
   * The row's original text without its line break (invalid UTF-8 shown as U+FFFD). For an unclosed quote
   * this is the whole rest of the file.
   */
  raw: string;
}

/** One batch of rows, good ones in the columns, bad ones in `malformed`. */
export interface CsvBatch {
  /** The header names, one per column. */
  readonly header: readonly string[];
  /** Contiguous bytes holding every row of the batch; all offsets point into it. */
  readonly bytes: Uint8Array;
  /** Offset of `bytes[0]` in the (decompressed) input, counting a BOM if there was one. */
  readonly fileOffset: number;
  /** Number of good rows, i.e. the length of `lines` and of every column's arrays. */
  readonly rowCount: number;
  /** 1-based physical line on which each good row starts. */
  readonly lines: Uint32Array;
  /** One entry per header column. */
  readonly columns: readonly CsvColumnFields[];
  /** Rows of this stretch of the file that had the wrong shape or bad bytes, in file order. */
  readonly malformed: MalformedRow[];
  /** The quote byte, needed to unescape `FIELD_ESCAPED` fields. */
  readonly quote: number;
  /** The null token's bytes; an unquoted field equal to it is null. */
  readonly nullToken: Uint8Array;
}
