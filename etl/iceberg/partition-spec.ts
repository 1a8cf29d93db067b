/**
 * Partition specs (spec: "Partitioning", Appendix C): fields with a source column id, a partition field
 * id (from 1000), a transform and a name; how a row's values become a partition tuple, and how a tuple
 * becomes a readable folder (`date=2025-04-01/order_timestamp_day=2025-04-01`).
 * Writers support the identity, year, month, day and hour transforms; readers accept any transform.
 */
import { UsageError } from '../errors.js';
import { UnsupportedIcebergFeatureError } from './errors.js';
import { fieldByName, type IcebergSchema } from './schema.js';

/** First partition field id (v1 assigned ids from here; v2 keeps the convention). */
export const FIRST_PARTITION_FIELD_ID = 1000;

/** A field of a partition spec. */
export interface PartitionField {
  /** Id of the source column in the table schema. */
  'source-id': number;
  /** Partition field id, unique across the table's specs. */
  'field-id': number;
  /** Partition field name. */
  name: string;
  /** Transform: `identity`, `year`, `month`, `day`, `hour`, `bucket[N]`, `truncate[W]`, `void`. */
  transform: string;
}

/** A partition spec as stored in the table metadata's `partition-specs` list. */
export interface PartitionSpec {
  /** Id of this spec within the table. */
  'spec-id': number;
  /** Its fields, in order. */
  fields: PartitionField[];
}

/** The transforms this implementation can write with. */
export type WritableTransform = 'identity' | 'year' | 'month' | 'day' | 'hour';

/** How a table is partitioned when created: a column (identity) or a column with a transform. */
export type PartitionFieldDefinition = string | { column: string; transform?: WritableTransform; name?: string };

/** A partition value: int/date/year/month/day/hour as number, long and timestamps as bigint µs, strings, booleans, doubles. */
export type PartitionValue = number | bigint | string | boolean | null;

const WRITABLE = new Set<string>(['identity', 'year', 'month', 'day', 'hour']);
const TIME_TRANSFORMS: Record<string, string[]> = {
  year: ['date', 'timestamp', 'timestamptz'],
  month: ['date', 'timestamp', 'timestamptz'],
  day: ['date', 'timestamp', 'timestamptz'],
  hour: ['timestamp', 'timestamptz'],
};

/** Build the spec (id 0) of a new table from its definition; partition field ids start at 1000. */
export function buildPartitionSpec(schema: IcebergSchema, definition: PartitionFieldDefinition[] = []): PartitionSpec {
  const names = new Set<string>();
  const fields = definition.map((def, i) => {
    const column = typeof def === 'string' ? def : def.column;
    const transform = typeof def === 'string' ? 'identity' : (def.transform ?? 'identity');
    const source = fieldByName(schema, column);
    if (!WRITABLE.has(transform)) throw new UsageError(`partition transform ${transform} is not supported (identity, year, month, day, hour)`);
    if (typeof source.type !== 'string') throw new UsageError(`cannot partition by nested column ${column}`);
    const allowed = TIME_TRANSFORMS[transform];
    if (allowed && !allowed.includes(source.type)) throw new UsageError(`transform ${transform} does not apply to ${column} of type ${source.type}`);
    if (transform === 'identity' && /^decimal|^binary$|^fixed/.test(source.type)) {
      throw new UsageError(`identity partitioning by ${source.type} column ${column} is not supported`);
    }
    const name = (typeof def === 'string' ? undefined : def.name) ?? (transform === 'identity' ? column : `${column}_${transform}`);
    if (names.has(name)) throw new UsageError(`duplicate partition field name ${name}`);
    names.add(name);
    return { 'source-id': source.id, 'field-id': FIRST_PARTITION_FIELD_ID + i, name, transform };
  });
  return { 'spec-id': 0, fields };
}

/** The highest partition field id of a set of specs (999 when none has fields). */
export function highestPartitionFieldId(specs: PartitionSpec[]): number {
  let max = FIRST_PARTITION_FIELD_ID - 1;
  for (const spec of specs) for (const f of spec.fields) max = Math.max(max, f['field-id']);
  return max;
}

/** The Iceberg type of a partition field's values, given its source column type. */
export function partitionResultType(field: PartitionField, sourceType: string): string {
  switch (field.transform) {
    case 'identity':
      return sourceType;
    case 'day':
      return 'date';
    case 'year':
    case 'month':
    case 'hour':
      return 'int';
    default:
      if (field.transform.startsWith('bucket[')) return 'int';
      if (field.transform.startsWith('truncate[')) return sourceType;
      if (field.transform === 'void') return sourceType;
      throw new UnsupportedIcebergFeatureError(`unknown partition transform ${field.transform}`);
  }
}

const MICROS_PER_DAY = 86_400_000_000n;
const MICROS_PER_HOUR = 3_600_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Years and months since 1970 of a day number. */
function yearMonthOfDays(days: number): { year: number; month: number } {
  const d = new Date(days * 86_400_000);
  return { year: d.getUTCFullYear() - 1970, month: (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth() };
}

/**
 * Apply a writable transform to a source value in raw form (dates as days, timestamps as bigint µs,
 * longs as bigint). Nulls stay null.
 */
export function applyTransform(transform: string, sourceType: string, value: PartitionValue): PartitionValue {
  if (value === null) return null;
  if (transform === 'identity') return value;
  const isTimestamp = sourceType === 'timestamp' || sourceType === 'timestamptz';
  const days = isTimestamp ? Number(floorDiv(BigInt(value as bigint), MICROS_PER_DAY)) : Number(value);
  switch (transform) {
    case 'day':
      return days;
    case 'hour':
      return Number(floorDiv(BigInt(value as bigint), MICROS_PER_HOUR));
    case 'year':
      return yearMonthOfDays(days).year;
    case 'month':
      return yearMonthOfDays(days).month;
    default:
      throw new UnsupportedIcebergFeatureError(`cannot write with partition transform ${transform}`);
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of a day number. */
export function formatDays(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** The human-readable form of a partition value used in folder names (the Java implementation's forms). */
export function partitionValueText(field: PartitionField, resultType: string, value: PartitionValue): string {
  if (value === null) return 'null';
  switch (field.transform) {
    case 'year':
      return String(1970 + Number(value));
    case 'month': {
      const m = Number(value);
      return `${1970 + Math.floor(m / 12)}-${pad((((m % 12) + 12) % 12) + 1)}`;
    }
    case 'hour': {
      const d = new Date(Number(value) * 3_600_000);
      return `${d.toISOString().slice(0, 10)}-${pad(d.getUTCHours())}`;
    }
    default:
      break;
  }
  if (resultType === 'date') return formatDays(Number(value));
  if (resultType === 'timestamp' || resultType === 'timestamptz') {
    const micros = BigInt(value as bigint);
    const ms = Number(floorDiv(micros, 1000n));
    return new Date(ms).toISOString().replace('Z', '').replace(/\.\d+$/, `.${String(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).padStart(6, '0')}`);
  }
  return String(value);
}

/**
 * A folder-name-safe form of a name or value: letters, digits and `._:-` stay; other characters become
 * `_` plus their UTF-8 bytes in hex. Folder names are informational (manifests hold the values), and
 * safe names need no percent-encoding in file URIs, which some readers (pyiceberg) do not decode.
 */
function folderSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._:-]/gu, (c) => `_${Buffer.from(c, 'utf8').toString('hex').toUpperCase()}`);
}

/** The folder of a partition tuple under `data/`, e.g. `date=2025-04-01` (empty for an unpartitioned spec). */
export function partitionPath(spec: PartitionSpec, resultTypes: string[], values: PartitionValue[]): string {
  return spec.fields.map((f, i) => `${folderSafe(f.name)}=${folderSafe(partitionValueText(f, resultTypes[i]!, values[i] ?? null))}`).join('/');
}

/** A stable string identifying a partition tuple (for grouping). */
export function partitionKey(specId: number, values: PartitionValue[]): string {
  return `${specId}:${values.map((v) => (v === null ? '\u0000' : `${typeof v}:${String(v)}`)).join('\u0001')}`;
}
