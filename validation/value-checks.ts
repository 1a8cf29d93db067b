/**
 * Compiling a column's zod checks into loops over decoded column buffers. Each check schema is read once
 * (its zod definition: bounds, literal sets, `multipleOf`, integer formats, string lengths) and turned
 * into a predicate over raw column values; anything zod can express that is not in that list (refine,
 * regex, unions, ...) falls back to running the zod schema on each non-null value of that column. zod
 * words the message of every failing value (`messageFor`).
 */
import type { z } from 'zod';
import { FIELD_ESCAPED, FIELD_NON_ASCII, readField, type CsvBatch } from './csv/index.js';
import { decodedCell, jsValue } from './cells.js';
import type { ColumnKind } from './column-kinds.js';
import type { ColumnSpec } from './column.js';
import { int64AsNumber, type DecodedBatch, type DecodedValues } from './decoded-batch.js';
import { ContractError } from './errors.js';

/** A numeric predicate in the column's raw units (days for dates, µs for timestamps). */
interface NumericTest {
  lo: number;
  loIncl: boolean;
  hi: number;
  hiIncl: boolean;
  integer: boolean;
  step: number;
  set: Set<number> | undefined;
}

/** A compiled check: how to find failing rows, and zod to word the message. */
export interface CompiledCheck {
  /** The zod schema the check came from. */
  readonly schema: z.ZodType;
  /** True when the check runs zod per value (no compiled form). */
  readonly usesZod: boolean;
  /** Sets `fail[r] = 1` for rows with `todo[r] = 1` whose value fails; returns how many it set. */
  evaluate(batch: DecodedBatch, c: number, todo: Uint8Array, fail: Uint8Array): number;
}

interface ZodDef {
  type: string;
  format?: string;
  checks?: { _zod: { def: Record<string, unknown> } }[];
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const defOf = (s: z.ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The JavaScript type zod checks of a column must be about. */
function valueType(kind: ColumnKind): string {
  switch (kind) {
    case 'int64':
      return 'bigint';
    case 'string':
      return 'string';
    case 'bool':
      return 'boolean';
    case 'date':
    case 'timestamp':
      return 'date';
    default:
      return 'number';
  }
}

const FORMAT_BOUNDS: Record<string, [number, number, boolean]> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true],
  int32: [-2147483648, 2147483647, true],
  uint32: [0, 4294967295, true],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38, false],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE, false],
};

/** Converts a bound in the check's unit to the column's raw unit; undefined when it cannot be exact. */
function rawBound(kind: ColumnKind, value: unknown): number | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (kind === 'date') return ms / 86_400_000;
    if (kind === 'timestamp') return ms * 1000;
    return undefined;
  }
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return typeof value === 'number' ? value : undefined;
}

/** Reads a number-like check schema into a `NumericTest`; undefined when some part needs zod. */
function numericTest(kind: ColumnKind, def: ZodDef): NumericTest | undefined {
  const t: NumericTest = { lo: -Infinity, loIncl: true, hi: Infinity, hiIncl: true, integer: false, step: 0, set: undefined };
  if (def.type === 'literal' || def.type === 'enum') {
    const values = def.type === 'literal' ? def.values ?? [] : Object.values(def.entries ?? {});
    if (kind === 'date' || kind === 'timestamp' || !values.every((v) => typeof v === 'number' || typeof v === 'bigint')) return undefined;
    const numbers = values.map((v) => Number(v));
    if ((def.checks ?? []).length > 0) return undefined;
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    if ((kind === 'int32' || kind === 'int64') && numbers.every(Number.isInteger) && new Set(numbers).size === hi - lo + 1) {
      // A run of consecutive integers, e.g. {0, 1}, on an integer column: a bounds check.
      [t.lo, t.hi] = [lo, hi];
      return t;
    }
    t.set = new Set(numbers);
    return t;
  }
  if (def.type !== 'number' && def.type !== 'bigint' && def.type !== 'date') return undefined;
  if (def.format !== undefined) {
    const f = FORMAT_BOUNDS[def.format];
    if (f === undefined) return undefined;
    [t.lo, t.hi, t.integer] = f;
  }
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'greater_than' || c.check === 'less_than') {
      const b = rawBound(kind, c.value);
      if (b === undefined) return undefined;
      const incl = c.inclusive === true;
      if (c.check === 'greater_than' && (b > t.lo || (b === t.lo && !incl))) [t.lo, t.loIncl] = [b, incl];
      if (c.check === 'less_than' && (b < t.hi || (b === t.hi && !incl))) [t.hi, t.hiIncl] = [b, incl];
    } else if (c.check === 'multiple_of' && typeof c.value === 'number' && Number.isInteger(c.value) && kind !== 'date' && kind !== 'timestamp') {
      if (t.step !== 0) return undefined;
      t.step = c.value;
    } else return undefined;
  }
  return t;
}

/** A string check as a predicate on text; undefined when it needs zod. */
function stringTest(def: ZodDef): { test: (s: string) => boolean; minLen: number; maxLen: number } | undefined {
  if (def.type === 'literal' || def.type === 'enum') {
    const values = def.type === 'literal' ? def.values ?? [] : Object.values(def.entries ?? {});
    if (!values.every((v) => typeof v === 'string') || (def.checks ?? []).length > 0) return undefined;
    const set = new Set(values as string[]);
    return { test: (s) => set.has(s), minLen: 0, maxLen: Infinity };
  }
  if (def.type !== 'string' || def.format !== undefined) return undefined;
  let minLen = 0;
  let maxLen = Infinity;
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'min_length') minLen = Math.max(minLen, c.minimum as number);
    else if (c.check === 'max_length') maxLen = Math.min(maxLen, c.maximum as number);
    else if (c.check === 'length_equals') {
      minLen = Math.max(minLen, c.length as number);
      maxLen = Math.min(maxLen, c.length as number);
    } else return undefined;
  }
  return { test: (s) => s.length >= minLen && s.length <= maxLen, minLen, maxLen };
}

function passes(t: NumericTest, x: number): boolean {
  if (x < t.lo || (x === t.lo && !t.loIncl) || x > t.hi || (x === t.hi && !t.hiIncl)) return false;
  if (t.integer && !Number.isInteger(x)) return false;
  if (t.step !== 0 && x % t.step !== 0) return false;
  return t.set === undefined || t.set.has(x);
}

/** Runs a numeric test over a column of int32 / float64 / date / int64 / timestamp values. */
function evaluateNumeric(t: NumericTest, col: DecodedValues, todo: Uint8Array, fail: Uint8Array, n: number): number {
  let failed = 0;
  if ((col.kind === 'int32' || col.kind === 'date' || col.kind === 'float64') && t.set === undefined && !t.integer && t.step === 0) {
    // The common case, bounds only: one tight loop.
    const v = col.values;
    const lo = t.lo;
    const hi = t.hi;
    const loIncl = t.loIncl;
    const hiIncl = t.hiIncl;
    // The inclusive/exclusive choices are loop-invariant, so the only data-dependent branch is the rare failure.
    for (let r = 0; r < n; r++) {
      if (todo[r] !== 1) continue;
      const x = v[r]!;
      const ok = (loIncl ? x >= lo : x > lo) && (hiIncl ? x <= hi : x < hi);
      if (!ok) {
        fail[r] = 1;
        failed++;
      }
    }
    return failed;
  }
  if (col.kind === 'int64' || col.kind === 'timestamp') {
    const words = col.words;
    for (let r = 0; r < n; r++) {
      if (todo[r] === 1 && !passes(t, int64AsNumber(words, r))) {
        fail[r] = 1;
        failed++;
      }
    }
    return failed;
  }
  if (col.kind !== 'int32' && col.kind !== 'date' && col.kind !== 'float64') return 0;
  const v = col.values;
  if (t.set !== undefined && t.lo === -Infinity && t.hi === Infinity && t.step === 0) {
    // A literal set: membership only.
    const set = t.set;
    for (let r = 0; r < n; r++) {
      if (todo[r] === 1 && !set.has(v[r]!)) {
        fail[r] = 1;
        failed++;
      }
    }
    return failed;
  }
  for (let r = 0; r < n; r++) {
    if (todo[r] === 1 && !passes(t, v[r]!)) {
      fail[r] = 1;
      failed++;
    }
  }
  return failed;
}

/** Runs a string predicate: once per dictionary entry, or per row (ASCII lengths without making strings). */
function evaluateString(
  s: { test: (s: string) => boolean; minLen: number; maxLen: number },
  col: DecodedValues,
  csv: CsvBatch,
  todo: Uint8Array,
  fail: Uint8Array,
  n: number,
  lengthOnly: boolean,
): number {
  if (col.kind !== 'string') return 0;
  let failed = 0;
  if (col.dictionary) {
    const bad = col.dictionary.dictionary.map((v) => !s.test(v));
    const idx = col.dictionary.indices;
    for (let r = 0; r < n; r++) {
      if (todo[r] === 1 && bad[idx[r]!]) {
        fail[r] = 1;
        failed++;
      }
    }
    return failed;
  }
  const { starts, ends, flags } = csv.columns[col.field]!;
  for (let r = 0; r < n; r++) {
    if (todo[r] !== 1) continue;
    let ok: boolean;
    if (lengthOnly && (flags[r]! & (FIELD_NON_ASCII | FIELD_ESCAPED)) === 0) {
      const len = ends[r]! - starts[r]!;
      ok = len >= s.minLen && len <= s.maxLen;
    } else ok = s.test(readField(csv, r, col.field) ?? '');
    if (!ok) {
      fail[r] = 1;
      failed++;
    }
  }
  return failed;
}

/** Compiles one check schema of a column. Throws `ContractError` when it is about another value type. */
export function compileCheck(column: string, spec: ColumnSpec, schema: z.ZodType): CompiledCheck {
  const def = defOf(schema);
  const want = valueType(spec.kind);
  const about = def.type === 'literal' || def.type === 'enum' ? undefined : def.type;
  if (about !== undefined && ['number', 'bigint', 'string', 'boolean', 'date'].includes(about) && about !== want) {
    throw new ContractError(`column ${column}: a ${spec.kind} column's checks are about ${want} values, not ${about}`);
  }
  const kind = spec.kind;
  const scale = spec.decimal?.scale ?? 0;
  const numeric = kind === 'string' || kind === 'bool' || kind === 'decimal' ? undefined : numericTest(kind, def);
  if (numeric !== undefined) {
    return { schema, usesZod: false, evaluate: (b, c, todo, fail) => evaluateNumeric(numeric, b.columns[c]!, todo, fail, b.rowCount) };
  }
  const str = kind === 'string' ? stringTest(def) : undefined;
  if (str !== undefined) {
    const lengthOnly = def.type === 'string';
    return { schema, usesZod: false, evaluate: (b, c, todo, fail) => evaluateString(str, b.columns[c]!, b.csv, todo, fail, b.rowCount, lengthOnly) };
  }
  // Fallback: zod on each non-null value (once per dictionary entry for dictionary columns).
  const ok = (v: unknown): boolean => schema.safeParse(v).success;
  return {
    schema,
    usesZod: true,
    evaluate(b, c, todo, fail) {
      const col = b.columns[c]!;
      if (col.kind === 'string' && col.dictionary) {
        return evaluateString({ test: ok, minLen: 0, maxLen: Infinity }, col, b.csv, todo, fail, b.rowCount, false);
      }
      let failed = 0;
      for (let r = 0; r < b.rowCount; r++) {
        if (todo[r] === 1 && !ok(jsValue(kind, decodedCell(b, c, r), scale))) {
          fail[r] = 1;
          failed++;
        }
      }
      return failed;
    },
  };
}

/** zod's message for the first of `checks` that `value` fails (undefined when it passes them all). */
export function messageFor(checks: readonly CompiledCheck[], value: unknown): string | undefined {
  for (const check of checks) {
    const result = check.schema.safeParse(value);
    if (!result.success) return result.error.issues.map((i) => i.message).join('; ');
  }
  return undefined;
}
