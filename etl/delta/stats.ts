/** Delta file statistics (the `add.stats` JSON string) from the Parquet writer's column statistics. */
import * as arrow from 'apache-arrow';
import type { ColumnStats } from '../parquet/types.js';
import { formatDate } from './partitions.js';

/** Parsed `add.stats`. */
export interface DeltaStats {
  /** Rows in the file. */
  numRecords: number;
  /** Column -> smallest value (JSON form). */
  minValues?: Record<string, unknown>;
  /** Column -> largest value (JSON form). */
  maxValues?: Record<string, unknown>;
  /** Column -> null count. */
  nullCount?: Record<string, number>;
}

/** Longest string prefix kept in min/max stats (Delta writers truncate; a truncated max is dropped). */
const STRING_PREFIX = 32;

/** ISO-8601 of microseconds since the epoch, with millisecond or microsecond precision. */
export function formatTimestampStat(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString();
  const sub = Number(((micros % 1000n) + 1000n) % 1000n);
  return sub === 0 ? iso : `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
}

function jsonValue(value: ColumnStats['min'], type: arrow.DataType, isMax: boolean): unknown {
  if (value === undefined) return undefined;
  if (arrow.DataType.isDictionary(type)) return jsonValue(value, type.dictionary, isMax);
  if (arrow.DataType.isDate(type)) return formatDate(Number(value));
  if (arrow.DataType.isTimestamp(type)) return formatTimestampStat(BigInt(value as bigint));
  if (arrow.DataType.isDecimal(type) || arrow.DataType.isBinary(type)) return undefined;
  if (typeof value === 'string') {
    if ([...value].length <= STRING_PREFIX) return value;
    return isMax ? undefined : [...value].slice(0, STRING_PREFIX).join('');
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  return value;
}

/** The stats JSON for a file of `numRecords` rows with these column statistics (partition columns excluded). */
export function deltaStatsJson(numRecords: number, stats: Record<string, ColumnStats>, schema: arrow.Schema): string {
  const minValues: Record<string, unknown> = {};
  const maxValues: Record<string, unknown> = {};
  const nullCount: Record<string, number> = {};
  for (const field of schema.fields) {
    const s = stats[field.name];
    if (!s) continue;
    nullCount[field.name] = s.nullCount;
    if (arrow.DataType.isStruct(field.type) || arrow.DataType.isList(field.type) || arrow.DataType.isMap(field.type)) continue;
    const min = jsonValue(s.min, field.type, false);
    const max = jsonValue(s.max, field.type, true);
    if (min !== undefined) minValues[field.name] = min;
    if (max !== undefined) maxValues[field.name] = max;
  }
  return JSON.stringify({ numRecords, minValues, maxValues, nullCount });
}

/** Parse `add.stats`; undefined when absent or unreadable (stats are optional). */
export function parseStats(stats: string | null | undefined): DeltaStats | undefined {
  if (!stats) return undefined;
  try {
    return JSON.parse(stats) as DeltaStats;
  } catch {
    return undefined;
  }
}
