/** Key values of decoded rows, as `KeyLookup` and `KeyIndex` take them. */
import { readField } from './csv/index.js';
import { decodedCell, type Cell } from './cells.js';
import type { ColumnKind } from './column-kinds.js';
import { int64AsNumber, type DecodedBatch } from './decoded-batch.js';
import type { KeyValue } from './key-lookup.js';

/** The key value of row `r` in contract column `c`, or null when the value is null. */
export function keyAt(batch: DecodedBatch, c: number, r: number): KeyValue | null {
  const col = batch.columns[c]!;
  if (col.valid[r] !== 1) return null;
  switch (col.kind) {
    case 'int32':
    case 'date':
    case 'float64':
    case 'bool':
      return col.values[r]!;
    case 'int64':
    case 'timestamp': {
      const n = int64AsNumber(col.words, r);
      return Number.isSafeInteger(n) ? n : col.values[r]!;
    }
    case 'string':
      return col.dictionary ? col.dictionary.dictionary[col.dictionary.indices[r]!]! : readField(batch.csv, r, col.field)!;
    case 'decimal':
      return String(decodedCell(batch, c, r));
  }
}

/** The key of row `r` over columns `cs`: one value, or for several columns a JSON text; null when any part is null. */
export function compositeKeyAt(batch: DecodedBatch, cs: readonly number[], r: number): KeyValue | null {
  if (cs.length === 1) return keyAt(batch, cs[0]!, r);
  const parts: (string | number)[] = [];
  for (const c of cs) {
    const v = keyAt(batch, c, r);
    if (v === null) return null;
    parts.push(typeof v === 'bigint' ? v.toString() : v);
  }
  return JSON.stringify(parts);
}

/** A key as text for messages: `order_id=10005`, or `(a=1, b=2)`. */
export function keyText(columns: readonly string[], key: KeyValue): string {
  if (columns.length === 1) return `${columns[0]}=${typeof key === 'string' ? JSON.stringify(key) : String(key)}`;
  const parts = JSON.parse(key as string) as unknown[];
  return `(${columns.map((c, i) => `${c}=${JSON.stringify(parts[i])}`).join(', ')})`;
}

/** The key over columns `cs` of a row given as cells (contract order), as `compositeKeyAt` reads it from a batch. */
export function keyOfCells(cells: readonly Cell[], kinds: readonly ColumnKind[], cs: readonly number[]): KeyValue {
  const part = (c: number): KeyValue => {
    const cell = cells[c]!;
    if (kinds[c] === 'decimal') return String(cell);
    if (typeof cell === 'bigint') {
      const n = Number(cell);
      return Number.isSafeInteger(n) ? n : cell;
    }
    return cell as KeyValue;
  };
  if (cs.length === 1) return part(cs[0]!);
  return JSON.stringify(cs.map((c) => {
    const v = part(c);
    return typeof v === 'bigint' ? v.toString() : v;
  }));
}
