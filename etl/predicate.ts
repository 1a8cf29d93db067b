/**
 * A small predicate language shared by the table formats (overwrite scopes, deletes, scans), evaluated
 * on partition values (strings, as logs store them) and on rows.
 */
import * as arrow from 'apache-arrow';
import { UsageError } from './errors.js';

/** A literal in a predicate: dates as `YYYY-MM-DD`, timestamps as ISO strings or bigint microseconds. */
export type Literal = string | number | bigint | boolean | null;

/** A predicate over columns. */
export type Predicate =
  | { column: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Literal }
  | { column: string; op: 'in'; values: Literal[] }
  | { column: string; op: 'is null' | 'is not null' }
  | { and: Predicate[] }
  | { or: Predicate[] }
  | { not: Predicate };

type Comparable = string | number | bigint | boolean | null;

const pad = (n: number) => String(n).padStart(2, '0');

/** The comparable form of a value of an Arrow type: dates `YYYY-MM-DD`, timestamps bigint µs, int64 bigint. */
export function comparable(value: unknown, type: arrow.DataType): Comparable {
  if (value === null || value === undefined) return null;
  if (arrow.DataType.isDictionary(type)) return comparable(value, type.dictionary);
  if (arrow.DataType.isDate(type)) {
    if (typeof value === 'string') return value.slice(0, 10);
    const d = value instanceof Date ? value : new Date(Number(value));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  }
  if (arrow.DataType.isTimestamp(type)) {
    if (typeof value === 'bigint') return value;
    if (typeof value === 'string') {
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
      if (!m) throw new UsageError(`not a timestamp: ${value}`);
      const ms = Date.parse(`${m[1]}T${m[2]}${m[4] ?? 'Z'}`);
      return BigInt(ms) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0').slice(0, 6));
    }
    const ms = value instanceof Date ? value.getTime() : Number(value);
    return BigInt(Math.round(ms * 1000));
  }
  if (arrow.DataType.isInt(type) && type.bitWidth === 64) return BigInt(value as number);
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) return Number(value);
  if (arrow.DataType.isBool(type)) return typeof value === 'string' ? value === 'true' : Boolean(value);
  return String(value);
}

/** A compiled predicate: true when the values (by column name, raw) satisfy it. */
export type RowTest = (get: (column: string) => unknown) => boolean;

/** Compile a predicate against a schema (unknown columns are a UsageError). */
export function compilePredicate(predicate: Predicate, schema: arrow.Schema): RowTest {
  const types = new Map(schema.fields.map((f) => [f.name, f.type]));
  const typeOf = (column: string): arrow.DataType => {
    const t = types.get(column);
    if (!t) throw new UsageError(`predicate names unknown column ${column}`);
    return t;
  };
  const build = (p: Predicate): RowTest => {
    if ('and' in p) {
      const parts = p.and.map(build);
      return (get) => parts.every((t) => t(get));
    }
    if ('or' in p) {
      const parts = p.or.map(build);
      return (get) => parts.some((t) => t(get));
    }
    if ('not' in p) {
      const inner = build(p.not);
      return (get) => !inner(get);
    }
    const type = typeOf(p.column);
    const col = p.column;
    switch (p.op) {
      case 'is null':
        return (get) => comparable(get(col), type) === null;
      case 'is not null':
        return (get) => comparable(get(col), type) !== null;
      case 'in': {
        const set = new Set(p.values.map((v) => comparable(v, type)));
        return (get) => {
          const v = comparable(get(col), type);
          return v !== null && set.has(v);
        };
      }
      default: {
        const lit = comparable(p.value, type);
        const op = p.op;
        return (get) => {
          const v = comparable(get(col), type);
          if (v === null || lit === null) return false;
          switch (op) {
            case '=':
              return v === lit;
            case '!=':
              return v !== lit;
            case '<':
              return v < lit;
            case '<=':
              return v <= lit;
            case '>':
              return v > lit;
            case '>=':
              return v >= lit;
          }
        };
      }
    }
  };
  return build(predicate);
}

/** Column names a predicate mentions. */
export function predicateColumns(predicate: Predicate): Set<string> {
  const out = new Set<string>();
  const walk = (p: Predicate) => {
    if ('and' in p) p.and.forEach(walk);
    else if ('or' in p) p.or.forEach(walk);
    else if ('not' in p) walk(p.not);
    else out.add(p.column);
  };
  walk(predicate);
  return out;
}
