/**
 * Pruning data files with their metrics: whether a predicate might hold for some row of a file (from
 * its lower/upper bounds and null counts), and whether it holds for every row (from identity partition
 * values). Both are conservative: "might" errs towards true, "every" towards false.
 */
import * as arrow from 'apache-arrow';
import { comparable, compilePredicate, predicateColumns, type Literal, type Predicate } from '../predicate.js';
import { comparableValue, decodeValue } from './bounds.js';
import type { DataFile } from './manifest.js';
import type { PartitionSpec } from './partition-spec.js';
import { arrowTypeOf, type IcebergSchema } from './schema.js';

type Value = Exclude<Literal, null>;

function lessThan(a: Value, b: Value): boolean {
  return (a as number) < (b as number);
}

/** The bounds of a column in a file in comparable form, when known. */
function boundsOf(file: DataFile, id: number, type: string): { lo?: Value; hi?: Value } {
  const lo = file.lowerBounds?.[id];
  const hi = file.upperBounds?.[id];
  const decode = (b: Uint8Array | undefined) => {
    if (!b) return undefined;
    const v = decodeValue(type, b);
    return v === undefined || v === null ? undefined : (comparableValue(type, v) as Value);
  };
  return { lo: decode(lo), hi: decode(hi) };
}

/** True unless the file's metrics prove that no row satisfies `predicate`. */
export function mightMatch(predicate: Predicate, file: DataFile, schema: IcebergSchema): boolean {
  const eval_ = (p: Predicate): boolean => {
    if ('and' in p) return p.and.every(eval_);
    if ('or' in p) return p.or.some(eval_);
    if ('not' in p) return true;
    const field = schema.fields.find((f) => f.name === p.column);
    if (!field || typeof field.type !== 'string') return true;
    const type = field.type;
    const nulls = file.nullValueCounts?.[field.id];
    const values = file.valueCounts?.[field.id];
    if (p.op === 'is null') return nulls === undefined || nulls > 0;
    if (p.op === 'is not null') return nulls === undefined || values === undefined || nulls < values;
    if (values !== undefined && nulls !== undefined && values > 0 && nulls === values) return false; // only nulls: no comparison holds
    const { lo, hi } = boundsOf(file, field.id, type);
    const arrowType = arrowTypeOf(type, field.name);
    const within = (v: Literal) => v !== null && !(lo !== undefined && lessThan(v, lo)) && !(hi !== undefined && lessThan(hi, v));
    if (p.op === 'in') return p.values.some((v) => within(comparable(v, arrowType)));
    const compare = p as Extract<Predicate, { value: Literal }>;
    const lit = comparable(compare.value, arrowType);
    if (lit === null) return false;
    switch (compare.op) {
      case '=':
        return within(lit);
      case '!=':
        return !(lo !== undefined && hi !== undefined && lo === lit && hi === lit);
      case '<':
        return lo === undefined || lessThan(lo, lit);
      case '<=':
        return lo === undefined || !lessThan(lit, lo);
      case '>':
        return hi === undefined || lessThan(lit, hi);
      case '>=':
        return hi === undefined || !lessThan(hi, lit);
    }
  };
  return eval_(predicate);
}

/**
 * True when every row of the file satisfies `predicate` because it names only source columns of
 * identity partition fields, whose values are the same for every row of the file. Undefined when
 * that cannot be decided from the partition tuple.
 */
export function partitionDecides(predicate: Predicate, file: DataFile, spec: PartitionSpec, schema: IcebergSchema): boolean | undefined {
  const values = new Map<string, unknown>();
  spec.fields.forEach((f, i) => {
    if (f.transform !== 'identity') return;
    const source = schema.fields.find((s) => s.id === f['source-id']);
    if (source && typeof source.type === 'string') values.set(source.name, comparableValue(source.type, file.partition[i] ?? null));
  });
  for (const column of predicateColumns(predicate)) if (!values.has(column)) return undefined;
  const arrowSchema = new arrow.Schema(
    schema.fields.filter((f) => values.has(f.name)).map((f) => new arrow.Field(f.name, arrowTypeOf(f.type, f.name), true)),
  );
  return compilePredicate(predicate, arrowSchema)((c) => values.get(c) ?? null);
}
