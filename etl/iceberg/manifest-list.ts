/**
 * Manifest lists (spec: "Manifest Lists"): one Avro file per snapshot naming its manifests, with their
 * sequence numbers, file and row counts, and per-partition-field summaries used to skip manifests.
 */
import { decodeAvroFile, encodeAvroFile } from './avro-file.js';
import { ADDED, DELETED, EXISTING, type ManifestEntry } from './manifest.js';
import { MANIFEST_LIST_SCHEMA } from './manifest-schemas.js';
import { encodeValue } from './bounds.js';
import type { PartitionValue } from './partition-spec.js';

/** Summary of one partition field over a manifest's files. */
export interface FieldSummary {
  /** Whether any file has a null value for the field. */
  containsNull: boolean;
  /** Whether any file has a NaN value (floating fields; null when unknown). */
  containsNan: boolean | null;
  /** Smallest non-null value (binary single-value serialization). */
  lowerBound: Uint8Array | null;
  /** Largest non-null value. */
  upperBound: Uint8Array | null;
}

/** A manifest as its manifest list describes it. */
export interface ManifestFile {
  /** Full URI of the manifest. */
  manifestPath: string;
  /** Its size in bytes. */
  manifestLength: number;
  /** Partition spec its entries use. */
  partitionSpecId: number;
  /** 0 data, 1 deletes. */
  content: number;
  /** Sequence number of the snapshot that added the manifest. */
  sequenceNumber: number;
  /** Smallest data sequence number of its live entries. */
  minSequenceNumber: number;
  /** Snapshot that added the manifest. */
  addedSnapshotId: bigint;
  /** Entries with status ADDED. */
  addedFilesCount: number;
  /** Entries with status EXISTING. */
  existingFilesCount: number;
  /** Entries with status DELETED. */
  deletedFilesCount: number;
  /** Rows in ADDED entries. */
  addedRowsCount: number;
  /** Rows in EXISTING entries. */
  existingRowsCount: number;
  /** Rows in DELETED entries. */
  deletedRowsCount: number;
  /** One summary per partition field of the spec. */
  partitions: FieldSummary[] | null;
}

interface RawManifestFile {
  manifest_path: string;
  manifest_length: bigint;
  partition_spec_id: number;
  content?: number;
  sequence_number?: bigint;
  min_sequence_number?: bigint;
  added_snapshot_id: bigint;
  added_files_count?: number | null;
  existing_files_count?: number | null;
  deleted_files_count?: number | null;
  added_rows_count?: bigint | null;
  existing_rows_count?: bigint | null;
  deleted_rows_count?: bigint | null;
  // v1 names
  added_data_files_count?: number | null;
  existing_data_files_count?: number | null;
  deleted_data_files_count?: number | null;
  partitions?: { contains_null: boolean; contains_nan?: boolean | null; lower_bound?: Uint8Array | null; upper_bound?: Uint8Array | null }[] | null;
}

/** Context of the snapshot a manifest list belongs to (stored as the file's key-value metadata). */
export interface ManifestListContext {
  /** The snapshot. */
  snapshotId: bigint;
  /** Its parent, if any. */
  parentSnapshotId?: bigint;
  /** Its sequence number. */
  sequenceNumber: number;
}

/** Encode a v2 manifest list. */
export function encodeManifestList(manifests: ManifestFile[], context: ManifestListContext): Uint8Array {
  const records = manifests.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: m.manifestLength,
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: m.sequenceNumber,
    min_sequence_number: m.minSequenceNumber,
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: m.addedRowsCount,
    existing_rows_count: m.existingRowsCount,
    deleted_rows_count: m.deletedRowsCount,
    partitions:
      m.partitions?.map((p) => ({
        contains_null: p.containsNull,
        contains_nan: p.containsNan,
        lower_bound: p.lowerBound ? Buffer.from(p.lowerBound) : null,
        upper_bound: p.upperBound ? Buffer.from(p.upperBound) : null,
      })) ?? null,
    key_metadata: null,
  }));
  return encodeAvroFile(MANIFEST_LIST_SCHEMA, records, {
    'snapshot-id': context.snapshotId.toString(),
    'parent-snapshot-id': context.parentSnapshotId === undefined ? 'null' : context.parentSnapshotId.toString(),
    'sequence-number': String(context.sequenceNumber),
    'format-version': '2',
  });
}

/** Decode a manifest list (v2, or v1 with its defaults). */
export function decodeManifestList(bytes: Uint8Array, where: string): ManifestFile[] {
  const { records } = decodeAvroFile<RawManifestFile>(bytes, where);
  const count = (v: number | null | undefined, v1: number | null | undefined) => v ?? v1 ?? 0;
  const long = (v: bigint | null | undefined) => (v === null || v === undefined ? 0 : Number(v));
  return records.map((r) => ({
    manifestPath: r.manifest_path,
    manifestLength: Number(r.manifest_length),
    partitionSpecId: r.partition_spec_id,
    content: r.content ?? 0,
    sequenceNumber: long(r.sequence_number),
    minSequenceNumber: long(r.min_sequence_number),
    addedSnapshotId: r.added_snapshot_id,
    addedFilesCount: count(r.added_files_count, r.added_data_files_count),
    existingFilesCount: count(r.existing_files_count, r.existing_data_files_count),
    deletedFilesCount: count(r.deleted_files_count, r.deleted_data_files_count),
    addedRowsCount: long(r.added_rows_count),
    existingRowsCount: long(r.existing_rows_count),
    deletedRowsCount: long(r.deleted_rows_count),
    partitions:
      r.partitions?.map((p) => ({
        containsNull: p.contains_null,
        containsNan: p.contains_nan ?? null,
        lowerBound: p.lower_bound ? new Uint8Array(p.lower_bound) : null,
        upperBound: p.upper_bound ? new Uint8Array(p.upper_bound) : null,
      })) ?? null,
  }));
}

/** True when a manifest may hold live files (a v1 list without counts reads as all zero: "may"). */
export function hasLiveFiles(m: ManifestFile): boolean {
  return m.addedFilesCount + m.existingFilesCount > 0 || m.deletedFilesCount === 0;
}

function compare(a: PartitionValue, b: PartitionValue): number {
  if (typeof a === 'string' && typeof b === 'string') {
    // UTF-8 byte order = code point order.
    const x = [...a];
    const y = [...b];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
      if (d !== 0) return d;
    }
    return x.length - y.length;
  }
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * The manifest-list record of a manifest written by the committing snapshot: counts from its entries,
 * per-field partition summaries, and sequence numbers (ADDED entries inherit `sequenceNumber`).
 */
export function describeManifest(
  path: string,
  length: number,
  specId: number,
  partitionTypes: string[],
  entries: ManifestEntry[],
  snapshotId: bigint,
  sequenceNumber: number,
): ManifestFile {
  const m: ManifestFile = {
    manifestPath: path,
    manifestLength: length,
    partitionSpecId: specId,
    content: 0,
    sequenceNumber,
    minSequenceNumber: sequenceNumber,
    addedSnapshotId: snapshotId,
    addedFilesCount: 0,
    existingFilesCount: 0,
    deletedFilesCount: 0,
    addedRowsCount: 0,
    existingRowsCount: 0,
    deletedRowsCount: 0,
    partitions: null,
  };
  const mins: PartitionValue[] = partitionTypes.map(() => null);
  const maxs: PartitionValue[] = partitionTypes.map(() => null);
  const nulls = partitionTypes.map(() => false);
  const nans = partitionTypes.map(() => false);
  for (const e of entries) {
    const rows = e.dataFile.recordCount;
    if (e.status === ADDED) {
      m.addedFilesCount++;
      m.addedRowsCount += rows;
    } else if (e.status === EXISTING) {
      m.existingFilesCount++;
      m.existingRowsCount += rows;
    } else if (e.status === DELETED) {
      m.deletedFilesCount++;
      m.deletedRowsCount += rows;
    }
    if (e.status !== DELETED) m.minSequenceNumber = Math.min(m.minSequenceNumber, e.sequenceNumber ?? sequenceNumber);
    e.dataFile.partition.forEach((v, i) => {
      if (v === null) nulls[i] = true;
      else if (typeof v === 'number' && Number.isNaN(v)) nans[i] = true;
      else {
        if (mins[i] === null || compare(v, mins[i]!) < 0) mins[i] = v;
        if (maxs[i] === null || compare(v, maxs[i]!) > 0) maxs[i] = v;
      }
    });
  }
  m.partitions = partitionTypes.map((type, i) => ({
    containsNull: nulls[i]!,
    containsNan: type === 'float' || type === 'double' ? nans[i]! : null,
    lowerBound: mins[i] === null ? null : (encodeValue(type, mins[i]!) ?? null),
    upperBound: maxs[i] === null ? null : (encodeValue(type, maxs[i]!) ?? null),
  }));
  return m;
}
