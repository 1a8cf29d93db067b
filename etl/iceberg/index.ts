/** Apache Iceberg v2 tables: create/open/read (IcebergTable) and the operations that change them. */
export * from './errors.js';
export type { MetadataPointer, MetadataPointerStore } from './metadata-pointer.js';
export {
  IcebergTable,
  type DataFileInfo,
  type IcebergHistoryEntry,
  type IcebergScanOptions,
  type IcebergTableDefinition,
  type IcebergTableOptions,
  type SnapshotSelector,
} from './table.js';
export type { CommitOptions } from './commit.js';
export type { Snapshot, SnapshotOperation, TableMetadata } from './table-metadata.js';
export { parseTableMetadata, serializeTableMetadata } from './table-metadata.js';
export type { PartitionFieldDefinition, PartitionSpec, PartitionValue, WritableTransform } from './partition-spec.js';
export { arrowSchemaOf, icebergSchemaOf, FIELD_ID_KEY, type IcebergSchema, type IcebergField } from './schema.js';
export type { DataFile, ManifestEntry } from './manifest.js';
export type { ManifestFile } from './manifest-list.js';
export { ENGINE_NAME, TXN_PREFIX, type TxnKey } from './txn.js';
export { write, type WriteOptions, type WriteMetrics } from './operations/write.js';
export { merge, type MergeOptions, type MergeMetrics } from './operations/merge.js';
export { deleteWhere, type DeleteOptions, type DeleteMetrics } from './operations/delete.js';
export { optimize, type OptimizeOptions, type OptimizeMetrics } from './operations/optimize.js';
export { expireSnapshots, type ExpireSnapshotsOptions, type ExpireSnapshotsMetrics } from './operations/expire-snapshots.js';
export { removeOrphanFiles, type RemoveOrphanFilesOptions, type RemoveOrphanFilesMetrics } from './operations/remove-orphan-files.js';
export type { RowsInput } from './operations/input.js';
export type { WriteFilesOptions } from './write-data-files.js';
