/**
 * The per-row checks of one decoded batch, in the order a row is reported: per column (contract order)
 * `type`/`timestamp_format`, `not_null`, `range`; then row rules; then foreign keys. Each check is a loop
 * over column buffers; messages are built only for the rows that fail.
 */
import { readField } from './csv/index.js';
import { cellText, decodedCell, jsValue } from './cells.js';
import { parseRuleOf } from './column-kinds.js';
import type { DatasetContract } from './define-dataset.js';
import type { DecodedBatch } from './decoded-batch.js';
import { DenseInt32KeySet } from './int32-key-sets.js';
import type { KeyLookup } from './key-lookup.js';
import { keyAt } from './key-values.js';
import { nullMessage, parseFailureMessage, rangeMessage } from './messages.js';
import type { RuleCode } from './rules.js';
import { messageFor } from './value-checks.js';

/**
 * Reports row `r` as failing `rule`: the caller applies the rule's policy (and clears `todo[r]` when the
 * row is quarantined). `message(r)` is only called when the message is needed. (Messages take the row as
 * an argument rather than closing over a loop variable: a closure over `r` would make V8 allocate a
 * context on every iteration of the hot loops.)
 */
export type FlagRow = (rule: RuleCode, r: number, column: string | undefined, message: (r: number) => string) => void;

/** What a foreign key is checked against. */
export interface ForeignKeyTarget {
  /** Keys the referenced dataset has: accepted in this run or committed. */
  readonly known: KeyLookup;
  /** Keys of referenced rows rejected in this run (only to word the message). */
  readonly rejected?: KeyLookup;
}

/** Runs every column check, row rule and foreign key over the rows with `todo[r] = 1`. */
export function checkRows(
  contract: DatasetContract,
  batch: DecodedBatch,
  todo: Uint8Array,
  foreignKeys: ReadonlyMap<string, ForeignKeyTarget>,
  flag: FlagRow,
): void {
  const n = batch.rowCount;
  const csv = batch.csv;
  const fail = new Uint8Array(n);
  // Hot loops only collect the (rare) failing rows; flagging them happens after each loop.
  const report = (rows: number[], rule: RuleCode, column: string | undefined, message: (r: number) => string): void => {
    for (const r of rows) if (todo[r] === 1) flag(rule, r, column, message);
  };

  contract.columns.forEach((column, c) => {
    const col = batch.columns[c]!;
    const { name, spec } = column;
    const parseMessage = (r: number): string => parseFailureMessage(name, spec.kind, readField(csv, r, col.field) ?? '');
    if (col.errorCount > 0) report(rowsWhere(todo, col.errors, 1, n), parseRuleOf(spec.kind), name, parseMessage);
    if (spec.isRequired) {
      const message = (r: number): string => nullMessage(name, spec.kind, col.errors[r] === 1 ? parseMessage(r) : undefined);
      report(rowsWhere(todo, col.valid, 0, n), 'not_null', name, message);
    }
    if (column.checks.length > 0) {
      const candidates = both(todo, col.valid, n);
      fail.fill(0);
      let any = 0;
      for (const check of column.checks) any += check.evaluate(batch, c, candidates, fail);
      if (any > 0) {
        const scale = spec.decimal?.scale ?? 0;
        const message = (r: number): string => {
          const cell = decodedCell(batch, c, r);
          return rangeMessage(name, messageFor(column.checks, jsValue(spec.kind, cell, scale)), cellText(spec.kind, cell, scale));
        };
        report(rowsWhere(todo, fail, 1, n), 'range', name, message);
      }
    }
  });

  for (const rule of contract.rules) {
    const cs = rule.columns.map((name) => contract.column(name).index);
    fail.fill(0);
    if (rule.evaluate(cs.map((c) => batch.columns[c]!), todo, fail, n) === 0) continue;
    const message = (r: number): string => rule.message(cs.map((c) => decodedCell(batch, c, r)));
    report(rowsWhere(todo, fail, 1, n), rule.rule, rule.columns.join(', '), message);
  }

  for (const fk of contract.foreignKeys) {
    const target = foreignKeys.get(fk.column);
    if (target === undefined) continue;
    const c = contract.column(fk.column).index;
    const col = batch.columns[c]!;
    const message = (r: number): string => {
      const key = keyAt(batch, c, r)!;
      const where = `${fk.references.name}.${fk.referencedColumn}`;
      const shown = typeof key === 'string' ? JSON.stringify(key) : String(key);
      return target.rejected?.has(key)
        ? `${fk.column} ${shown}: the ${where} row it refers to was rejected in this run`
        : `${fk.column} ${shown} not found in ${where} (neither accepted in this run nor committed)`;
    };
    const missing =
      col.kind === 'int32' || col.kind === 'date'
        ? missingInt32Keys(todo, col.valid, col.values, target.known, n)
        : missingKeys(todo, batch, c, target.known, n);
    report(missing, 'foreign_key', fk.column, message);
  }
}

/** Rows with `todo[r] = 1` and `mask[r] === value`. */
function rowsWhere(todo: Uint8Array, mask: Uint8Array, value: number, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) if (todo[r] === 1 && mask[r] === value) out.push(r);
  return out;
}

/** `a[r] & b[r]` for every row. */
function both(a: Uint8Array, b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let r = 0; r < n; r++) out[r] = a[r]! & b[r]!;
  return out;
}

/** Rows to check whose non-null int32 key `known` does not have. */
function missingInt32Keys(todo: Uint8Array, valid: Uint8Array, values: Int32Array, known: KeyLookup, n: number): number[] {
  if (known instanceof DenseInt32KeySet) return known.missing(values, valid, todo, n);
  const out: number[] = [];
  for (let r = 0; r < n; r++) if (todo[r] === 1 && valid[r] === 1 && !known.has(values[r]!)) out.push(r);
  return out;
}

/** Rows to check whose non-null key in contract column `c` `known` does not have (any key type). */
function missingKeys(todo: Uint8Array, batch: DecodedBatch, c: number, known: KeyLookup, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    if (todo[r] !== 1) continue;
    const key = keyAt(batch, c, r);
    if (key !== null && !known.has(key)) out.push(r);
  }
  return out;
}
