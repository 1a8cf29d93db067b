/**
 * Table metadata (spec: "Table Metadata", Appendix C) as stored in `metadata/<NNNNN>-<uuid>.metadata.json`.
 * Field names follow the spec exactly, so the objects serialise as they are; snapshot ids are `bigint`
 * (they use all 63 bits, beyond JSON numbers' safe range) and are read and written as JSON integers.
 */
import { CorruptMetadataError, UnsupportedIcebergFeatureError } from './errors.js';
import type { PartitionSpec } from './partition-spec.js';
import type { IcebergSchema } from './schema.js';

/** Snapshot `summary.operation` values. */
export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete';

/** A snapshot: the table's state after one commit. */
export interface Snapshot {
  /** Unique id. */
  'snapshot-id': bigint;
  /** The snapshot this one was made from, if any. */
  'parent-snapshot-id'?: bigint;
  /** Monotonically increasing commit order. */
  'sequence-number': number;
  /** Commit time, ms since the epoch. */
  'timestamp-ms': number;
  /** Location of the manifest list. */
  'manifest-list': string;
  /** `operation` plus metrics and properties, all strings. */
  summary: { operation: string; [key: string]: string };
  /** Schema current when the snapshot was made. */
  'schema-id'?: number;
}

/** A named reference to a snapshot (`main` is the table's current state). */
export interface SnapshotRef {
  /** Referenced snapshot. */
  'snapshot-id': bigint;
  /** `branch` or `tag`. */
  type: 'branch' | 'tag';
  /** Retention settings (branches). */
  'min-snapshots-to-keep'?: number;
  /** Retention settings (branches). */
  'max-snapshot-age-ms'?: number;
  /** Retention settings (non-main refs). */
  'max-ref-age-ms'?: number;
}

/** A sort order (order 0 is "unsorted"). */
export interface SortOrder {
  /** Id. */
  'order-id': number;
  /** Sort fields. */
  fields: { transform: string; 'source-id': number; direction: 'asc' | 'desc'; 'null-order': 'nulls-first' | 'nulls-last' }[];
}

/** An entry of the snapshot log: when the current snapshot changed. */
export interface SnapshotLogEntry {
  /** The new current snapshot. */
  'snapshot-id': bigint;
  /** When it became current. */
  'timestamp-ms': number;
}

/** An entry of the metadata log: a previous metadata file. */
export interface MetadataLogEntry {
  /** Location of the previous metadata file. */
  'metadata-file': string;
  /** Its last-updated-ms. */
  'timestamp-ms': number;
}

/** Format-version 2 table metadata. */
export interface TableMetadata {
  /** 2 (1 is read, never written). */
  'format-version': number;
  /** Table UUID. */
  'table-uuid': string;
  /** Base location (URI) of the table. */
  location: string;
  /** Highest assigned sequence number. */
  'last-sequence-number': number;
  /** When this metadata was written, ms. */
  'last-updated-ms': number;
  /** Highest assigned column id. */
  'last-column-id': number;
  /** Known schemas. */
  schemas: IcebergSchema[];
  /** Id of the current schema. */
  'current-schema-id': number;
  /** Known partition specs. */
  'partition-specs': PartitionSpec[];
  /** Id of the spec writers use. */
  'default-spec-id': number;
  /** Highest assigned partition field id. */
  'last-partition-id': number;
  /** Table properties. */
  properties: Record<string, string>;
  /** Current snapshot id; -1 (v2 convention) or absent when the table has no snapshot. */
  'current-snapshot-id'?: bigint | null;
  /** Valid snapshots. */
  snapshots: Snapshot[];
  /** Changes of the current snapshot. */
  'snapshot-log': SnapshotLogEntry[];
  /** Previous metadata files. */
  'metadata-log': MetadataLogEntry[];
  /** Known sort orders. */
  'sort-orders': SortOrder[];
  /** Sort order writers use. */
  'default-sort-order-id': number;
  /** Named references; `main` follows the current snapshot. */
  refs: Record<string, SnapshotRef>;
  /** Other fields we keep as they are (statistics, partition-statistics, ...). */
  [other: string]: unknown;
}

/** The unsorted sort order. */
export const UNSORTED_ORDER: SortOrder = { 'order-id': 0, fields: [] };

/** Table property: how many previous metadata files the metadata log keeps. */
export const PREVIOUS_VERSIONS_MAX = 'write.metadata.previous-versions-max';

/** Table property holding the name mapping (JSON). */
export const NAME_MAPPING_PROPERTY = 'schema.name-mapping.default';

/** Objects whose values are free strings (never parsed as snapshot ids). */
const OPAQUE = new Set(['summary', 'properties']);

/** Turn the snapshot-id strings the parser protected back into bigints. */
function reviveIds(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(reviveIds);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (k.endsWith('snapshot-id') && typeof v === 'string' && /^-?\d+$/.test(v)) obj[k] = BigInt(v);
    else if (!OPAQUE.has(k)) reviveIds(v);
  }
}

/** Parse a metadata file. Throws CorruptMetadataError when it is not table metadata, UnsupportedIcebergFeatureError for format 3+. */
export function parseTableMetadata(text: string, where = 'metadata'): TableMetadata {
  let raw: Record<string, unknown>;
  try {
    // Protect snapshot ids from the double conversion: quote them before JSON.parse sees them.
    raw = JSON.parse(text.replace(/("[a-z-]*snapshot-id"\s*:\s*)(-?\d+)/g, '$1"$2"')) as Record<string, unknown>;
  } catch (err) {
    throw new CorruptMetadataError(`${where} is not valid JSON`, { cause: err });
  }
  reviveIds(raw);
  const version = raw['format-version'];
  if (version !== 1 && version !== 2) {
    if (typeof version === 'number' && version > 2) throw new UnsupportedIcebergFeatureError(`${where}: format version ${version} is not supported (1 and 2 are)`);
    throw new CorruptMetadataError(`${where}: no valid format-version`);
  }
  for (const key of ['location', 'last-updated-ms', 'last-column-id']) {
    if (raw[key] === undefined) throw new CorruptMetadataError(`${where}: ${key} is missing`);
  }
  const m = raw as TableMetadata;
  // Defaults for v1 files and optional fields.
  m['last-sequence-number'] ??= 0;
  m.properties ??= {};
  m.snapshots ??= [];
  m['snapshot-log'] ??= [];
  m['metadata-log'] ??= [];
  if (!m.schemas) {
    const legacy = raw.schema as IcebergSchema | undefined;
    if (!legacy) throw new CorruptMetadataError(`${where}: no schemas`);
    m.schemas = [{ ...legacy, 'schema-id': legacy['schema-id'] ?? 0 }];
    m['current-schema-id'] = m.schemas[0]!['schema-id'];
  }
  if (!m['partition-specs']) {
    const legacy = (raw['partition-spec'] as PartitionSpec['fields'] | undefined) ?? [];
    m['partition-specs'] = [{ 'spec-id': 0, fields: legacy }];
    m['default-spec-id'] = 0;
  }
  m['sort-orders'] ??= [UNSORTED_ORDER];
  m['default-sort-order-id'] ??= 0;
  if (m['current-snapshot-id'] === -1n) m['current-snapshot-id'] = null;
  if (!m.refs) {
    m.refs = {};
    if (m['current-snapshot-id'] != null) m.refs.main = { 'snapshot-id': m['current-snapshot-id'], type: 'branch' };
  }
  return m;
}

/** Serialise metadata as JSON (snapshot ids as JSON integers; a table without snapshot gets `current-snapshot-id: -1`). */
export function serializeTableMetadata(metadata: TableMetadata): string {
  const out = { ...metadata, 'current-snapshot-id': metadata['current-snapshot-id'] ?? -1n };
  const text = JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000big:${v.toString()}` : v), 2);
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

/** The current snapshot, if any. */
export function currentSnapshot(metadata: TableMetadata): Snapshot | undefined {
  const id = metadata['current-snapshot-id'];
  if (id === undefined || id === null) return undefined;
  return metadata.snapshots.find((s) => s['snapshot-id'] === id);
}

/** The snapshot with this id, if the metadata still lists it. */
export function snapshotById(metadata: TableMetadata, id: bigint): Snapshot | undefined {
  return metadata.snapshots.find((s) => s['snapshot-id'] === id);
}

/** The current schema. */
export function currentSchema(metadata: TableMetadata): IcebergSchema {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  if (!schema) throw new CorruptMetadataError(`current schema ${metadata['current-schema-id']} is not in the schemas list`);
  return schema;
}

/** The partition spec with this id. */
export function specById(metadata: TableMetadata, id: number): PartitionSpec {
  const spec = metadata['partition-specs'].find((s) => s['spec-id'] === id);
  if (!spec) throw new CorruptMetadataError(`partition spec ${id} is not in the partition-specs list`);
  return spec;
}

/** The default partition spec. */
export function defaultSpec(metadata: TableMetadata): PartitionSpec {
  return specById(metadata, metadata['default-spec-id']);
}

/** The current snapshot and its ancestors that the metadata still lists, newest first. */
export function ancestors(metadata: TableMetadata, from: Snapshot | undefined = currentSnapshot(metadata)): Snapshot[] {
  const out: Snapshot[] = [];
  const seen = new Set<bigint>();
  for (let s = from; s && !seen.has(s['snapshot-id']); ) {
    out.push(s);
    seen.add(s['snapshot-id']);
    const parent = s['parent-snapshot-id'];
    s = parent === undefined ? undefined : snapshotById(metadata, parent);
  }
  return out;
}

/** The metadata file version a location names (`00042-<uuid>.metadata.json` gives 42), or undefined. */
export function metadataVersionOf(location: string): number | undefined {
  const m = /(?:^|\/)(\d+)-[^/]*\.metadata\.json$/.exec(location) ?? /(?:^|\/)v(\d+)\.metadata\.json$/.exec(location);
  return m ? Number(m[1]) : undefined;
}
