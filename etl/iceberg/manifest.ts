/**
 * Manifests (spec: "Manifests"): Avro files of `manifest_entry` records, each tracking one data file with
 * its status (existing / added / deleted), snapshot id, sequence numbers, partition tuple and metrics.
 * Written for one partition spec; read with sequence-number and snapshot-id inheritance applied.
 */
import { decodeAvroFile, encodeAvroFile } from './avro-file.js';
import { CorruptMetadataError, UnsupportedIcebergFeatureError } from './errors.js';
import { avroName, manifestEntrySchema } from './manifest-schemas.js';
import type { ManifestFile } from './manifest-list.js';
import { partitionResultType, type PartitionSpec, type PartitionValue } from './partition-spec.js';
import { fieldById, type IcebergSchema } from './schema.js';

/** Entry status: the file was in the parent snapshot and still is. */
export const EXISTING = 0;
/** Entry status: the file was added by the manifest's snapshot. */
export const ADDED = 1;
/** Entry status: the file was removed by the manifest's snapshot (informational; not scanned). */
export const DELETED = 2;

/** A data file as a manifest describes it. */
export interface DataFile {
  /** 0 data, 1 position deletes, 2 equality deletes. */
  content: number;
  /** Full URI of the file. */
  filePath: string;
  /** `PARQUET`, `AVRO` or `ORC`. */
  fileFormat: string;
  /** Id of the partition spec of `partition`. */
  specId: number;
  /** Partition tuple, one value per field of the spec. */
  partition: PartitionValue[];
  /** Rows in the file. */
  recordCount: number;
  /** File size in bytes. */
  fileSizeInBytes: number;
  /** Field id -> bytes on disk of the column. */
  columnSizes?: Record<number, number>;
  /** Field id -> values (nulls included). */
  valueCounts?: Record<number, number>;
  /** Field id -> nulls. */
  nullValueCounts?: Record<number, number>;
  /** Field id -> NaNs. */
  nanValueCounts?: Record<number, number>;
  /** Field id -> lower bound (binary single-value serialization). */
  lowerBounds?: Record<number, Uint8Array>;
  /** Field id -> upper bound (binary single-value serialization). */
  upperBounds?: Record<number, Uint8Array>;
  /** Row group offsets. */
  splitOffsets?: number[];
  /** Sort order id. */
  sortOrderId?: number | null;
}

/** One entry of a manifest. Sequence numbers and snapshot id are null only for entries not yet committed. */
export interface ManifestEntry {
  /** EXISTING (0), ADDED (1) or DELETED (2). */
  status: number;
  /** Snapshot that added (or deleted) the file. */
  snapshotId: bigint | null;
  /** Data sequence number. */
  sequenceNumber: number | null;
  /** File sequence number. */
  fileSequenceNumber: number | null;
  /** The file. */
  dataFile: DataFile;
}

/** A manifest being written: where, what, and its counts (its sequence numbers come with the commit). */
export interface NewManifest {
  /** Key relative to the table root. */
  key: string;
  /** Entries written. */
  entries: ManifestEntry[];
}

type AvroMap<V> = { key: number; value: V }[] | null;

function toAvroMap<V>(record: Record<number, V> | undefined): AvroMap<V> {
  if (!record) return null;
  return Object.entries(record)
    .map(([k, v]) => ({ key: Number(k), value: v }))
    .sort((a, b) => a.key - b.key);
}

function fromAvroMap<V, W>(list: AvroMap<V> | undefined, convert: (v: V) => W): Record<number, W> | undefined {
  if (!list) return undefined;
  const out: Record<number, W> = {};
  for (const { key, value } of list) out[key] = convert(value);
  return out;
}

/** The result type of each field of `spec` (partition values' Iceberg types). */
export function partitionTypes(spec: PartitionSpec, schema: IcebergSchema): string[] {
  return spec.fields.map((f) => {
    const source = fieldById(schema, f['source-id']);
    if (!source || typeof source.type !== 'string') throw new CorruptMetadataError(`partition field ${f.name}: source column ${f['source-id']} is not a primitive column of the schema`);
    return partitionResultType(f, source.type);
  });
}

/** Encode a manifest for `spec` holding `entries`; returns the file's bytes. */
export function encodeManifest(schema: IcebergSchema, spec: PartitionSpec, entries: ManifestEntry[]): Uint8Array {
  const types = partitionTypes(spec, schema);
  const avroSchema = manifestEntrySchema(spec, types);
  const names = spec.fields.map((f) => avroName(f.name));
  const records = entries.map((e) => {
    const f = e.dataFile;
    const partition: Record<string, PartitionValue> = {};
    names.forEach((name, i) => (partition[name] = f.partition[i] ?? null));
    return {
      status: e.status,
      snapshot_id: e.snapshotId,
      sequence_number: e.sequenceNumber,
      file_sequence_number: e.fileSequenceNumber,
      data_file: {
        content: f.content,
        file_path: f.filePath,
        file_format: f.fileFormat,
        partition,
        record_count: f.recordCount,
        file_size_in_bytes: f.fileSizeInBytes,
        column_sizes: toAvroMap(f.columnSizes),
        value_counts: toAvroMap(f.valueCounts),
        null_value_counts: toAvroMap(f.nullValueCounts),
        nan_value_counts: toAvroMap(f.nanValueCounts),
        lower_bounds: toAvroMap(f.lowerBounds && mapValues(f.lowerBounds, Buffer.from)),
        upper_bounds: toAvroMap(f.upperBounds && mapValues(f.upperBounds, Buffer.from)),
        key_metadata: null,
        split_offsets: f.splitOffsets ?? null,
        equality_ids: null,
        sort_order_id: f.sortOrderId ?? null,
      },
    };
  });
  return encodeAvroFile(avroSchema, records, {
    schema: JSON.stringify(schema),
    'schema-id': String(schema['schema-id']),
    'partition-spec': JSON.stringify(spec.fields),
    'partition-spec-id': String(spec['spec-id']),
    'format-version': '2',
    content: 'data',
  });
}

function mapValues<V, W>(record: Record<number, V>, convert: (v: V) => W): Record<number, W> {
  const out: Record<number, W> = {};
  for (const [k, v] of Object.entries(record)) out[Number(k)] = convert(v as V);
  return out;
}

interface RawEntry {
  status: number;
  snapshot_id?: bigint | null;
  sequence_number?: bigint | null;
  file_sequence_number?: bigint | null;
  data_file: {
    content?: number;
    file_path: string;
    file_format: string;
    partition: Record<string, unknown>;
    record_count: bigint;
    file_size_in_bytes: bigint;
    column_sizes?: AvroMap<bigint>;
    value_counts?: AvroMap<bigint>;
    null_value_counts?: AvroMap<bigint>;
    nan_value_counts?: AvroMap<bigint>;
    lower_bounds?: AvroMap<Uint8Array>;
    upper_bounds?: AvroMap<Uint8Array>;
    split_offsets?: bigint[] | null;
    sort_order_id?: number | null;
  };
}

/** Partition record field name -> partition field id, from the writer schema of a manifest. */
function partitionFieldIds(schema: unknown): Map<string, number> {
  const entry = schema as { fields: { name: string; type: unknown }[] };
  const dataFile = entry.fields.find((f) => f.name === 'data_file')?.type as { fields: { name: string; type: unknown }[] } | undefined;
  const partition = dataFile?.fields.find((f) => f.name === 'partition')?.type as { fields?: { name: string; 'field-id'?: number }[] } | undefined;
  const out = new Map<string, number>();
  for (const f of partition?.fields ?? []) if (f['field-id'] !== undefined) out.set(f.name, f['field-id']);
  return out;
}

function partitionValue(v: unknown): PartitionValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v);
}

/**
 * Decode a manifest's entries, applying inheritance from its manifest-list record: a null snapshot id
 * becomes the manifest's `added_snapshot_id`; null sequence numbers of ADDED entries the manifest's
 * sequence number.
 */
export function decodeManifest(bytes: Uint8Array, manifest: ManifestFile, spec: PartitionSpec): ManifestEntry[] {
  const where = manifest.manifestPath;
  const { schema, records } = decodeAvroFile<RawEntry>(bytes, where);
  const ids = partitionFieldIds(schema);
  const positions = new Map(spec.fields.map((f, i) => [f['field-id'], i]));
  return records.map((r) => {
    const d = r.data_file;
    if (!d) throw new CorruptMetadataError(`${where}: entry without data_file`);
    const partition: PartitionValue[] = spec.fields.map(() => null);
    for (const [name, value] of Object.entries(d.partition ?? {})) {
      const at = positions.get(ids.get(name) ?? -1);
      if (at !== undefined) partition[at] = partitionValue(value);
    }
    const inheritSeq = (v: bigint | null | undefined) => (v === null || v === undefined ? (r.status === ADDED ? manifest.sequenceNumber : 0) : Number(v));
    const num = (v: bigint) => Number(v);
    const bytesOf = (v: Uint8Array) => new Uint8Array(v);
    return {
      status: r.status,
      snapshotId: r.snapshot_id ?? manifest.addedSnapshotId,
      sequenceNumber: inheritSeq(r.sequence_number),
      fileSequenceNumber: inheritSeq(r.file_sequence_number),
      dataFile: {
        content: d.content ?? 0,
        filePath: d.file_path,
        fileFormat: d.file_format,
        specId: manifest.partitionSpecId,
        partition,
        recordCount: Number(d.record_count),
        fileSizeInBytes: Number(d.file_size_in_bytes),
        columnSizes: fromAvroMap(d.column_sizes, num),
        valueCounts: fromAvroMap(d.value_counts, num),
        nullValueCounts: fromAvroMap(d.null_value_counts, num),
        nanValueCounts: fromAvroMap(d.nan_value_counts, num),
        lowerBounds: fromAvroMap(d.lower_bounds, bytesOf),
        upperBounds: fromAvroMap(d.upper_bounds, bytesOf),
        splitOffsets: d.split_offsets?.map(Number),
        sortOrderId: d.sort_order_id ?? null,
      },
    };
  });
}

/** Throw unless every live entry is a data file (delete files are not applied by this reader). */
export function assertDataOnly(entries: ManifestEntry[], where: string): void {
  const deletes = entries.find((e) => e.status !== DELETED && e.dataFile.content !== 0);
  if (deletes) throw new UnsupportedIcebergFeatureError(`${where} tracks delete files (${deletes.dataFile.filePath}); merge-on-read deletes are not supported`);
}
