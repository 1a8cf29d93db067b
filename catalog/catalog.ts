/**
 * The catalog: which tables exist, where they live, their schema and partitioning, and (for Iceberg)
 * the compare-and-swap register of their current metadata file. Implemented by the embedded catalog
 * (files in the warehouse) and by AWS Glue; both pass the same behaviour suite.
 */
import type * as arrow from 'apache-arrow';
import type { MetadataPointerStore } from '../etl/iceberg/metadata-pointer.js';

/** The table formats the lakehouse writes. */
export type TableFormat = 'delta' | 'iceberg';

/** What a caller registers (or re-registers) for a table. */
export interface TableDefinition {
  /** Database the table belongs to; it must exist (`createDatabase`). */
  database: string;
  /** Table name, unique inside the database. */
  name: string;
  /** Table format of the files at `location`. */
  format: TableFormat;
  /** URI of the table root (`s3://bucket/wh/processed/ecommerce/orders`, `file:///...`). */
  location: string;
  /** Columns, partition columns included. */
  schema: arrow.Schema;
  /** Partition columns, in order (each must be in `schema`). */
  partitionKeys?: string[];
  /**
   * Free-form table properties. Keys reserved by the catalogs (`table_type`, `metadata_location`,
   * `previous_metadata_location`, `spark.sql.sources.provider`, `EXTERNAL`, `lakehouse.*`) are refused.
   */
  properties?: Record<string, string>;
}

/** A registered table as the catalog holds it. */
export interface CatalogTable {
  /** Database name. */
  database: string;
  /** Table name. */
  name: string;
  /** Table format. */
  format: TableFormat;
  /** URI of the table root. */
  location: string;
  /** Columns, partition columns included. Empty for an Iceberg table first created by a pointer swap. */
  schema: arrow.Schema;
  /** Partition columns, in order. */
  partitionKeys: string[];
  /** Table properties (the catalog's reserved keys excluded). */
  properties: Record<string, string>;
  /** Iceberg: URI of the current `metadata/*.metadata.json`; undefined before the first commit and for Delta. */
  metadataLocation?: string;
  /** Iceberg: the metadata location before the last swap. */
  previousMetadataLocation?: string;
  /** Opaque token of this version of the entry (embedded entry version, Glue `VersionId`). */
  version: string;
}

/**
 * Tables, databases and the Iceberg metadata pointer. For an Iceberg table, `swap` moves the pointer
 * only: the columns, partition keys and properties it holds stay as they are (a table first created
 * by its swap has no columns), and `registerTable` sets them without touching the pointer. Both
 * orders work (register then commit, or commit then register); a writer whose commit changes the
 * schema registers the table again. Readers take an Iceberg table's columns from its metadata file
 * (the DuckDB engine does); the catalog's columns are for tools that only read the catalog.
 */
export interface Catalog extends MetadataPointerStore {
  /** Which implementation this is, for messages (`embedded`, `glue`). */
  readonly kind: string;
  /** Create a database; true when created, false when it already existed (idempotent). */
  createDatabase(name: string): Promise<boolean>;
  /** Names of all databases, sorted. */
  listDatabases(): Promise<string[]>;
  /**
   * Create the table, or update it when it exists: the schema is merged (columns are never lost:
   * existing columns keep their position and take the new definition's type, new columns are
   * appended), properties are merged (new values win), partition keys and location are replaced,
   * and the Iceberg pointer is left alone (only `swap` moves it). A registration that changes
   * nothing writes nothing. Throws `NotFoundError` when the database does not exist, `UsageError`
   * for an invalid definition or a format change, `CommitConflictError` (transient) when concurrent
   * updates kept winning.
   */
  registerTable(definition: TableDefinition): Promise<CatalogTable>;
  /** The table, or undefined when it is not registered. Throws `NotFoundError` when the database does not exist. */
  getTable(database: string, name: string): Promise<CatalogTable | undefined>;
  /** Tables of `database` (of every database when omitted), sorted by database and name. Throws `NotFoundError` for a missing database. */
  listTables(database?: string): Promise<CatalogTable[]>;
  /** Remove the table from the catalog (its files stay); true when it was registered. */
  dropTable(database: string, name: string): Promise<boolean>;
}
