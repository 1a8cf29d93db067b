/**
 * The column types a contract can declare, and what each means: the Arrow type it is written as, the
 * JavaScript value its checks see, and the zod schemas used for messages.
 */
import * as arrow from 'apache-arrow';
import { z } from 'zod';

/** Column types. */
export type ColumnKind = 'int32' | 'int64' | 'float64' | 'decimal' | 'string' | 'bool' | 'date' | 'timestamp';

/**
 * The JavaScript value a column's checks (zod schemas given to `check`) receive: numbers for int32,
 * float64 and decimal, bigint for int64, strings, booleans, and `Date` for dates (UTC midnight) and timestamps.
 */
export type ValueOf<K extends ColumnKind> = K extends 'int64'
  ? bigint
  : K extends 'string'
    ? string
    : K extends 'bool'
      ? boolean
      : K extends 'date' | 'timestamp'
        ? Date
        : number;

/** Decimal precision and scale. */
export interface DecimalSpec {
  /** Total significant digits, 1-38. */
  precision: number;
  /** Digits after the point, 0-precision. */
  scale: number;
}

/** The Arrow type of a column (dictionary-encoded utf8 when a string column is low-cardinality). */
export function arrowTypeOf(kind: ColumnKind, options: { lowCardinality?: boolean; decimal?: DecimalSpec } = {}): arrow.DataType {
  switch (kind) {
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'float64':
      return new arrow.Float64();
    case 'decimal': {
      const d = options.decimal ?? { precision: 38, scale: 0 };
      return new arrow.Decimal(d.scale, d.precision, 128);
    }
    case 'string':
      return options.lowCardinality ? new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()) : new arrow.Utf8();
    case 'bool':
      return new arrow.Bool();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMicrosecond('UTC');
  }
}

/** The zod schema of a column's decoded value (what `check` schemas refine). */
export function valueSchemaOf(kind: ColumnKind): z.ZodType {
  switch (kind) {
    case 'int32':
      return z.int32();
    case 'int64':
      return z.int64();
    case 'float64':
    case 'decimal':
      return z.number();
    case 'string':
      return z.string();
    case 'bool':
      return z.boolean();
    case 'date':
    case 'timestamp':
      return z.date();
  }
}

/** Accepted text of booleans (any letter case). */
const BOOL_TEXT = ['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0'];

/**
 * The zod schema of a column's text as found in the file: used only to word the message for a value
 * that did not parse (the fast decoders decide what parses).
 */
export function textSchemaOf(kind: ColumnKind): z.ZodType {
  switch (kind) {
    case 'int32':
      return z.preprocess(numberOrNaN, z.int32());
    case 'int64':
      return z.preprocess(bigintOrNaN, z.int64());
    case 'float64':
    case 'decimal':
      return z.preprocess(numberOrNaN, z.number());
    case 'string':
      return z.string();
    case 'bool':
      return z.preprocess((t) => String(t).toLowerCase(), z.enum(BOOL_TEXT as [string, ...string[]]));
    case 'date':
      return z.iso.date();
    case 'timestamp':
      // ISO-8601 with `T`; a space separator and a `+HHMM` offset are accepted too (normalised for zod).
      return z.preprocess(
        (t) => String(t).replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'),
        z.iso.datetime({ offset: true, local: true }),
      );
  }
}

/** The rule a value that does not parse as `kind` breaks. */
export function parseRuleOf(kind: ColumnKind): 'type' | 'timestamp_format' {
  return kind === 'date' || kind === 'timestamp' ? 'timestamp_format' : 'type';
}

function numberOrNaN(text: unknown): number {
  const s = String(text);
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
}

function bigintOrNaN(text: unknown): bigint | number {
  const s = String(text);
  return /^[+-]?\d+$/.test(s) ? BigInt(s) : NaN;
}
