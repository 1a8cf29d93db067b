/**
 * Single values ("cells") read out of a decoded batch or an Arrow column, for the slow paths: messages,
 * comparing two rows that share a key, zod fallbacks. Never used per row on the hot path.
 */
import type * as arrow from 'apache-arrow';
import { readField } from './csv/index.js';
import type { ColumnKind, ValueOf } from './column-kinds.js';
import { decimalText, readDecimal } from './decimal-decoder.js';
import type { DecodedBatch } from './decoded-batch.js';

/**
 * An exact, comparable value: number (int32, float64, date as days, bool as 0/1), bigint (int64,
 * timestamp µs, decimal scaled), string, or null. Two cells hold the same value iff they are `===`.
 */
export type Cell = number | bigint | string | null;

/** The cell at row `r` of contract column `c` of a decoded batch (null for nulls and unparsed values). */
export function decodedCell(batch: DecodedBatch, c: number, r: number): Cell {
  const col = batch.columns[c]!;
  if (col.valid[r] !== 1) return null;
  switch (col.kind) {
    case 'int32':
    case 'date':
    case 'float64':
    case 'bool':
      return col.values[r]!;
    case 'int64':
    case 'timestamp':
      return col.values[r]!;
    case 'decimal':
      return readDecimal(col.values, r);
    case 'string':
      return col.dictionary ? col.dictionary.dictionary[col.dictionary.indices[r]!]! : readField(batch.csv, r, col.field);
  }
}

const utf8 = new TextDecoder();

/**
 * The cell at row `i` of an Arrow column of type `kind` (as built by `arrow-build.ts`). Works on sliced
 * data too: Arrow JS slices fixed-width value buffers and utf8 offsets, but not bit-packed booleans.
 */
export function arrowCell(data: arrow.Data, kind: ColumnKind, i: number): Cell {
  if (data.nullCount !== 0 && !data.getValid(i)) return null;
  switch (kind) {
    case 'int32':
    case 'date':
    case 'float64':
      return (data.values as Int32Array | Float64Array)[i]!;
    case 'int64':
    case 'timestamp':
      return (data.values as unknown as BigInt64Array)[i]!;
    case 'bool': {
      const j = data.offset + i;
      return ((data.values as Uint8Array)[j >> 3]! >> (j & 7)) & 1;
    }
    case 'decimal':
      return readDecimal(data.values as Uint32Array, i);
    case 'string': {
      if (data.dictionary !== undefined) return data.dictionary.get((data.values as Int32Array)[i]!) as string;
      const offsets = data.valueOffsets as Int32Array;
      return utf8.decode((data.values as Uint8Array).subarray(offsets[i]!, offsets[i + 1]!));
    }
  }
}

/** The value a zod check sees for a cell (see `ValueOf`). */
export function jsValue<K extends ColumnKind>(kind: K, cell: Cell, scale = 0): ValueOf<K> | null {
  if (cell === null) return null;
  switch (kind) {
    case 'bool':
      return (cell === 1) as ValueOf<K>;
    case 'date':
      return new Date((cell as number) * 86_400_000) as ValueOf<K>;
    case 'timestamp':
      return new Date(Number(cell as bigint) / 1000) as ValueOf<K>;
    case 'decimal':
      return Number(decimalText(cell as bigint, scale)) as ValueOf<K>;
    default:
      return cell as ValueOf<K>;
  }
}

/** A cell as short text for messages: dates `YYYY-MM-DD`, timestamps ISO-8601 UTC with microseconds. */
export function cellText(kind: ColumnKind, cell: Cell, scale = 0): string {
  if (cell === null) return 'null';
  switch (kind) {
    case 'date':
      return new Date((cell as number) * 86_400_000).toISOString().slice(0, 10);
    case 'timestamp': {
      const us = cell as bigint;
      const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
      const micros = String(((us % 1000n) + 1000n) % 1000n).padStart(3, '0');
      return new Date(Number(ms)).toISOString().replace('Z', `${micros}Z`);
    }
    case 'decimal':
      return decimalText(cell as bigint, scale);
    case 'bool':
      return cell === 1 ? 'true' : 'false';
    case 'string':
      return JSON.stringify(cell);
    default:
      return String(cell);
  }
}
