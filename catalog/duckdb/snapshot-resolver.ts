/**
 * What the DuckDB engine needs from a table format: the data files of one snapshot, their partition
 * values, and whether the files hold the partition columns themselves. One resolver per format
 * (Delta: delta-resolver.ts, Iceberg: iceberg-resolver.ts); the engine hands each call its catalog.
 */
import type * as arrow from 'apache-arrow';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { Catalog, CatalogTable, TableFormat } from '../catalog.js';

/** Which snapshot of a table: a version number (Delta version, Iceberg sequence number) or the latest one committed at a time. */
export type TableVersion = { version: number } | { timestamp: Date };

/** One data file of a snapshot. */
export interface DataFile {
  /** Key of the file in the snapshot's `store`. */
  key: string;
  /** Size in bytes. */
  size: number;
  /**
   * Partition column -> value as Delta and Hive write it (`2025-04-01` for a date, `5` for an int,
   * `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC for a timestamp, null for null). Empty when the files hold
   * the partition columns (`ResolvedSnapshot.partitionColumnsInFiles`).
   */
  partitionValues: Record<string, string | null>;
}

/** A table at one snapshot, as files. */
export interface ResolvedSnapshot {
  /** The snapshot's version (Delta version, Iceberg sequence number). */
  version: number;
  /** The table's columns at this snapshot, partition columns included; files are read by column name. */
  schema: arrow.Schema;
  /** Partition columns. */
  partitionColumns: string[];
  /** True when the data files contain the partition columns (Iceberg); false when they come only from `partitionValues` (Delta). */
  partitionColumnsInFiles: boolean;
  /** The store the file keys are relative to (the table root). */
  store: ObjectStore;
  /** The snapshot's live data files (deletion vectors and delete files must be refused by the resolver). */
  files: DataFile[];
}

/** What the engine passes a resolver besides the table: its own context. */
export interface ResolveContext {
  /** The catalog the table is registered in (an Iceberg resolver uses it as the metadata pointer store). */
  catalog: Catalog;
}

/** Lists a table's files at a snapshot. */
export interface SnapshotResolver {
  /** The format this resolver reads. */
  readonly format: TableFormat;
  /**
   * The files of `table` at `at` (the latest snapshot when omitted). `store` is rooted at
   * `table.location`; `context.catalog` is the catalog `table` came from. Throws `NotFoundError`
   * (or the format's not-found error) when there is no table or no such version.
   */
  resolve(table: CatalogTable, store: ObjectStore, context: ResolveContext, at?: TableVersion): Promise<ResolvedSnapshot>;
}
