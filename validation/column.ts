/**
 * Column declarations: `int32()`, `string().lowCardinality()`, `float64().check(z.number().gt(0))`, ...
 * A column is immutable; each modifier returns a new one.
 */
import type * as arrow from 'apache-arrow';
import { z } from 'zod';
import { ContractError } from './errors.js';
import { arrowTypeOf, valueSchemaOf, type ColumnKind, type DecimalSpec, type ValueOf } from './column-kinds.js';

/** Everything a column declaration says. */
export interface ColumnSpec {
  /** The column's type. */
  readonly kind: ColumnKind;
  /** True when null is not allowed (`not_null`). Primary-key columns are always required. */
  readonly isRequired: boolean;
  /** For strings: few distinct values, written dictionary-encoded. */
  readonly isLowCardinality: boolean;
  /** For decimals: precision and scale. */
  readonly decimal?: DecimalSpec;
  /** Value checks (`range`), zod schemas over the decoded value, in declaration order. */
  readonly checks: readonly z.ZodType[];
  /** Free-text description (kept in the Arrow field metadata as `description`). */
  readonly description?: string;
}

/** A declared column; `K` is its type. */
export class Column<K extends ColumnKind = ColumnKind> implements ColumnSpec {
  /** The column's type. */
  readonly kind: K;
  /** True when null is not allowed. */
  readonly isRequired: boolean;
  /** For strings: written dictionary-encoded. */
  readonly isLowCardinality: boolean;
  /** For decimals: precision and scale. */
  readonly decimal?: DecimalSpec;
  /** Value checks, in declaration order. */
  readonly checks: readonly z.ZodType[];
  /** Free-text description. */
  readonly description?: string;

  /** Use the factories (`int32()`, `string()`, ...) instead. */
  constructor(spec: ColumnSpec & { kind: K }) {
    this.kind = spec.kind;
    this.isRequired = spec.isRequired;
    this.isLowCardinality = spec.isLowCardinality;
    if (spec.decimal !== undefined) this.decimal = spec.decimal;
    this.checks = spec.checks;
    if (spec.description !== undefined) this.description = spec.description;
  }

  /** Null is not allowed: null rows fail `not_null`. */
  required(): Column<K> {
    return new Column({ ...this, isRequired: true });
  }

  /**
   * Adds a value check: a zod schema over the decoded value (`ValueOf<K>`), e.g. `z.number().gt(0)`,
   * `z.number().min(1)`, `z.literal([0, 1])`, `z.string().max(200)`. Rows whose non-null value fails it
   * are rejected as `range`, with zod's message. Bounds, literal sets, `multipleOf` and string lengths
   * compile into column loops; any other check (refine, regex, ...) runs zod once per non-null value.
   */
  check(schema: z.ZodType<ValueOf<K>, unknown>): Column<K> {
    return new Column({ ...this, checks: [...this.checks, schema as z.ZodType] });
  }

  /** Declares few distinct values: the column is written as a dictionary (strings only). */
  lowCardinality(): Column<K> {
    if (this.kind !== 'string') throw new ContractError(`lowCardinality() applies to string columns, not ${this.kind}`);
    return new Column({ ...this, isLowCardinality: true });
  }

  /** Attaches a description. */
  describe(text: string): Column<K> {
    return new Column({ ...this, description: text });
  }

  /** The Arrow type the column is written as. */
  get arrowType(): arrow.DataType {
    return arrowTypeOf(this.kind, { lowCardinality: this.isLowCardinality, ...(this.decimal ? { decimal: this.decimal } : {}) });
  }

  /** The zod schema of one decoded value: the type, then every check (nullable unless required). */
  get valueSchema(): z.ZodType {
    let s: z.ZodType = valueSchemaOf(this.kind);
    for (const c of this.checks) s = z.intersection(s, c);
    return this.isRequired ? s : s.nullable();
  }
}

const base = { isRequired: false, isLowCardinality: false, checks: [] } as const;

/** A 32-bit signed integer column (`-2147483648..2147483647`; Arrow int32). */
export function int32(): Column<'int32'> {
  return new Column({ ...base, kind: 'int32' });
}

/** A 64-bit signed integer column (Arrow int64; checks see a bigint). */
export function int64(): Column<'int64'> {
  return new Column({ ...base, kind: 'int64' });
}

/** A double-precision float column (Arrow float64; NaN/Infinity text is not accepted). */
export function float64(): Column<'float64'> {
  return new Column({ ...base, kind: 'float64' });
}

/** A decimal column with `precision` digits, `scale` of them after the point (Arrow decimal128; checks see a number). */
export function decimal(precision: number, scale: number): Column<'decimal'> {
  if (!Number.isInteger(precision) || precision < 1 || precision > 38 || !Number.isInteger(scale) || scale < 0 || scale > precision) {
    throw new ContractError(`decimal(${precision}, ${scale}): precision must be 1-38 and scale 0-precision`);
  }
  return new Column({ ...base, kind: 'decimal', decimal: { precision, scale } });
}

/** A UTF-8 string column (Arrow utf8; dictionary with `lowCardinality()`). */
export function string(): Column<'string'> {
  return new Column({ ...base, kind: 'string' });
}

/** A boolean column: true/false, t/f, yes/no, y/n, 1/0 in any letter case (Arrow bool). */
export function bool(): Column<'bool'> {
  return new Column({ ...base, kind: 'bool' });
}

/** A calendar date column, `YYYY-MM-DD` (Arrow date32, days since 1970-01-01). */
export function date(): Column<'date'> {
  return new Column({ ...base, kind: 'date' });
}

/**
 * A timestamp column: ISO-8601 with `T` or a space, optional seconds and fraction (up to 9 digits, kept to
 * the microsecond), optional `Z` or offset, normalised to UTC; no offset means UTC (Arrow timestamp µs UTC).
 */
export function timestamp(): Column<'timestamp'> {
  return new Column({ ...base, kind: 'timestamp' });
}
