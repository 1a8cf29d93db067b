/**
 * One CSV batch decoded column by column into typed arrays, in contract column order. Plain strings
 * are not turned into JS strings: their bytes go straight into Arrow (see `arrow-build.ts`).
 */
import {
  decodeBool,
  decodeDate,
  decodeDictionary,
  decodeFloat64,
  decodeInt32,
  decodeInt64,
  decodeTimestamp,
  isNullField,
  type CsvBatch,
  type DictionaryValues,
} from './csv/index.js';
import type { ColumnKind } from './column-kinds.js';
import type { ColumnSpec } from './column.js';
import { decodeDecimal } from './decimal-decoder.js';
import { zeroed } from './csv/decode-arrays.js';

interface Common {
  /** 1 where the field is non-null and parsed. */
  readonly valid: Uint8Array;
  /** 1 where the field is non-null but did not parse. */
  readonly errors: Uint8Array;
  /** Rows with errors. */
  readonly errorCount: number;
  /** Null rows (so `valid` is all 1 when this and `errorCount` are 0). */
  readonly nullCount: number;
  /** Index of the column in the CSV batch (the file's header order). */
  readonly field: number;
}

/** Decoded values of one column of one batch. Values under null and error rows are 0. */
export type DecodedValues = Common &
  (
    | {
        /** int32 and date (days since 1970-01-01) columns. */
        readonly kind: 'int32' | 'date';
        /** One value per row. */
        readonly values: Int32Array;
      }
    | {
        /** float64 columns. */
        readonly kind: 'float64';
        /** One value per row. */
        readonly values: Float64Array;
      }
    | {
        /** int64 and timestamp (µs since the epoch, UTC) columns. */
        readonly kind: 'int64' | 'timestamp';
        /** One value per row. */
        readonly values: BigInt64Array;
        /** The same memory as 32-bit words (low word first), to read values without making BigInts. */
        readonly words: Uint32Array;
      }
    | {
        /** bool columns. */
        readonly kind: 'bool';
        /** 0 or 1 per row. */
        readonly values: Uint8Array;
      }
    | {
        /** decimal columns. */
        readonly kind: 'decimal';
        /** Four 32-bit words per row: the value scaled by 10^scale, 128-bit two's complement. */
        readonly values: Uint32Array;
        /** Digits after the point. */
        readonly scale: number;
      }
    | {
        /** string columns: plain ones stay bytes in the CSV batch; low-cardinality ones are dictionary-decoded. */
        readonly kind: 'string';
        /** Indices and distinct values, for low-cardinality columns. */
        readonly dictionary?: DictionaryValues;
      }
  );

/** A batch decoded for a contract. */
export interface DecodedBatch {
  /** The CSV batch the values came from (for string bytes and raw text). */
  readonly csv: CsvBatch;
  /** One entry per contract column, in contract order. */
  readonly columns: readonly DecodedValues[];
  /** Rows in the batch. */
  readonly rowCount: number;
}

/** Decodes column `field` of `csv` as `spec` says. */
export function decodeColumn(csv: CsvBatch, field: number, spec: ColumnSpec): DecodedValues {
  const kind: ColumnKind = spec.kind;
  const common = (d: { valid: Uint8Array; errors: Uint8Array; errorCount: number; nullCount: number }): Common => ({
    valid: d.valid,
    errors: d.errors,
    errorCount: d.errorCount,
    nullCount: d.nullCount,
    field,
  });
  switch (kind) {
    case 'int32': {
      const d = decodeInt32(csv, field);
      return { kind, values: d.values, ...common(d) };
    }
    case 'date': {
      const d = decodeDate(csv, field);
      return { kind, values: d.values, ...common(d) };
    }
    case 'float64': {
      const d = decodeFloat64(csv, field);
      return { kind, values: d.values, ...common(d) };
    }
    case 'int64':
    case 'timestamp': {
      const d = kind === 'int64' ? decodeInt64(csv, field) : decodeTimestamp(csv, field);
      const words = new Uint32Array(d.values.buffer, d.values.byteOffset, d.values.length * 2);
      return { kind, values: d.values, words, ...common(d) };
    }
    case 'bool': {
      const d = decodeBool(csv, field);
      return { kind, values: d.values, ...common(d) };
    }
    case 'decimal': {
      const { precision, scale } = spec.decimal ?? { precision: 38, scale: 0 };
      const d = decodeDecimal(csv, field, precision, scale);
      return { kind, values: d.values, scale, ...common(d) };
    }
    case 'string': {
      if (spec.isLowCardinality) {
        const d = decodeDictionary(csv, field, Math.max(1, csv.rowCount))!;
        return { kind, dictionary: d.values, ...common(d) };
      }
      const { valid, nullCount } = stringValidity(csv, field);
      return { kind, valid, errors: new Uint8Array(csv.rowCount), errorCount: 0, nullCount, field };
    }
  }
}

/** 1 for each non-null field of column `field`, and the number of nulls. */
function stringValidity(csv: CsvBatch, field: number): { valid: Uint8Array; nullCount: number } {
  const { starts, ends, flags } = csv.columns[field]!;
  const n = csv.rowCount;
  const valid = zeroed(Uint8Array, n);
  const bytes = csv.bytes;
  const tok = csv.nullToken;
  let nullCount = 0;
  for (let r = 0; r < n; r++) {
    const isNull = isNullField(bytes, starts[r]!, ends[r]!, flags[r]!, tok);
    valid[r] = isNull ? 0 : 1;
    if (isNull) nullCount++;
  }
  return { valid, nullCount };
}

/** Decodes every contract column of `csv`; `fields[i]` is the CSV column of contract column i. */
export function decodeBatch(csv: CsvBatch, specs: readonly ColumnSpec[], fields: readonly number[]): DecodedBatch {
  return { csv, rowCount: csv.rowCount, columns: specs.map((spec, i) => decodeColumn(csv, fields[i]!, spec)) };
}

const TWO_32 = 4294967296;

/** Value `r` of 64-bit words as a double (exact while |v| <= 2^53). */
export function int64AsNumber(words: Uint32Array, r: number): number {
  return (words[2 * r + 1]! | 0) * TWO_32 + words[2 * r]!;
}
