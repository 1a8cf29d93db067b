/**
 * Partition values: how an Arrow value becomes the string of `partitionValues`, how that becomes a
 * Hive-style folder (`date=2025-04-01`, null as `__HIVE_DEFAULT_PARTITION__`), and how a log path maps to a key.
 */
import * as arrow from 'apache-arrow';

/** The folder name Hive and Spark use for a null partition value. */
export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of a day number since the epoch. */
export function formatDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** Spark's partition form of a timestamp in microseconds: `YYYY-MM-DD HH:MM:SS.ffffff` (UTC). */
export function formatTimestampPartition(micros: bigint): string {
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  // Whole seconds, floored (BigInt division truncates toward zero, wrong before 1970).
  const d = new Date(Number((micros - frac) / 1000n));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${String(frac).padStart(6, '0')}`;
}

/** Microseconds since the epoch of a timestamp value as Arrow JS returns it (ms number or bigint of the unit). */
export function timestampMicros(value: unknown, unit: arrow.TimeUnit): bigint {
  if (typeof value === 'bigint') {
    return unit === arrow.TimeUnit.SECOND ? value * 1_000_000n : unit === arrow.TimeUnit.MILLISECOND ? value * 1000n : unit === arrow.TimeUnit.NANOSECOND ? value / 1000n : value;
  }
  // apache-arrow returns timestamps as epoch milliseconds (number), possibly fractional.
  return BigInt(Math.round(Number(value) * 1000));
}

/** The partition string of one value of an Arrow column (null stays null). */
export function partitionString(value: unknown, type: arrow.DataType): string | null {
  if (value === null || value === undefined) return null;
  if (arrow.DataType.isDictionary(type)) return partitionString(value, type.dictionary);
  if (arrow.DataType.isDate(type)) {
    const ms = value instanceof Date ? value.getTime() : Number(value);
    return formatDate(Math.floor(ms / 86_400_000));
  }
  if (arrow.DataType.isTimestamp(type)) return formatTimestampPartition(timestampMicros(value, type.unit));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  // Spark stores an empty-string partition value as null (the Hive default partition).
  return text === '' ? null : text;
}

/** The Arrow JS value of a partition string for a column type (the inverse of `partitionString`). */
export function partitionValueOf(text: string | null, type: arrow.DataType): unknown {
  if (text === null) return null;
  if (arrow.DataType.isDictionary(type)) return partitionValueOf(text, type.dictionary);
  if (arrow.DataType.isDate(type)) return Date.parse(`${text}T00:00:00Z`);
  if (arrow.DataType.isTimestamp(type)) {
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?/.exec(text);
    if (!m) return Date.parse(text);
    const frac = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
    return Date.parse(`${m[1]}T${m[2]}Z`) + Number(frac) / 1000;
  }
  if (arrow.DataType.isInt(type)) return type.bitWidth === 64 ? BigInt(text) : Number(text);
  if (arrow.DataType.isFloat(type)) return Number(text);
  if (arrow.DataType.isBool(type)) return text === 'true';
  return text;
}

// Characters Hive escapes in partition folder names (as Spark's ExternalCatalogUtils does); control
// characters are among them on purpose.
// eslint-disable-next-line no-control-regex
const HIVE_ESCAPE = /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g;

/** Escape a partition value for a folder name. */
export function escapePartitionValue(value: string | null): string {
  if (value === null || value === '') return HIVE_NULL;
  return value.replace(HIVE_ESCAPE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The relative folder of a partition, e.g. `date=2025-04-01` (empty for an unpartitioned table). */
export function partitionFolder(columns: string[], values: Record<string, string | null>): string {
  return columns.map((c) => `${escapePartitionValue(c)}=${escapePartitionValue(values[c] ?? null)}`).join('/');
}

/** Encode a relative file key as the URI path stored in `add.path`. */
export function encodeLogPath(key: string): string {
  return key
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%3D/g, '=').replace(/%3A/g, ':'))
    .join('/');
}

/** The store key (relative to the table root) of an `add.path`; absolute URIs are returned as they are. */
export function decodeLogPath(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  return decodeURIComponent(path);
}

/** A stable string identifying a partition, for grouping. */
export function partitionId(columns: string[], values: Record<string, string | null>): string {
  return JSON.stringify(columns.map((c) => values[c] ?? null));
}
