/**
 * The embedded catalog's files, relative to `<warehouse>/_lakehouse/catalog/`:
 * `databases/<database>.json` (created once, create-only) and
 * `tables/<database>/<table>/<v20>.json`, one immutable file per version of a table's entry (the
 * highest version is current; a dropped table's latest entry is a tombstone).
 */
import type { CatalogTable } from '../catalog.js';
import { EMPTY_SCHEMA, schemaFromJson, schemaJson, type TableState } from '../table-entry.js';

/** Folder of the embedded catalog inside the warehouse. */
export const CATALOG_PREFIX = '_lakehouse/catalog';

/** One version of a table's entry as stored. */
export interface EntryFile {
  /** Entry version; equals the number in the file name. */
  version: number;
  /** Database. */
  database: string;
  /** Table. */
  name: string;
  /** True for the tombstone of a dropped table (no other field is set). */
  dropped?: boolean;
  /** Table format. */
  format?: CatalogTable['format'];
  /** URI of the table root. */
  location?: string;
  /** Schema in Spark struct JSON. */
  schema?: string;
  /** Partition columns. */
  partitionKeys?: string[];
  /** Properties. */
  properties?: Record<string, string>;
  /** Iceberg pointer. */
  metadataLocation?: string;
  /** Iceberg pointer before the last swap. */
  previousMetadataLocation?: string;
  /** When this version was written (ISO 8601). */
  writtenAt: string;
}

/** Key of a database's marker file. */
export function databaseKey(database: string): string {
  return `databases/${database}.json`;
}

/** Listing prefix of every database marker. */
export const DATABASES_PREFIX = 'databases/';

/** Listing prefix of one table's entry versions (or of a whole database when `name` is omitted). */
export function tablePrefix(database?: string, name?: string): string {
  if (database === undefined) return 'tables/';
  return name === undefined ? `tables/${database}/` : `tables/${database}/${name}/`;
}

/** Key of one entry version. */
export function entryKey(database: string, name: string, version: number): string {
  return `${tablePrefix(database, name)}${String(version).padStart(20, '0')}.json`;
}

/** Database, table and version of an entry key under `tables/`, or undefined for any other key. */
export function parseEntryKey(key: string): { database: string; name: string; version: number } | undefined {
  const m = /^tables\/([^/]+)\/([^/]+)\/(\d{20})\.json$/.exec(key);
  return m ? { database: m[1]!, name: m[2]!, version: Number(m[3]) } : undefined;
}

/** Database name of a marker key, or undefined. */
export function parseDatabaseKey(key: string): string | undefined {
  return /^databases\/([^/]+)\.json$/.exec(key)?.[1];
}

/** The file of a live entry. */
export function toEntryFile(
  database: string,
  name: string,
  version: number,
  state: TableState,
  pointer: { metadataLocation?: string; previousMetadataLocation?: string },
  now: Date,
): EntryFile {
  return {
    version,
    database,
    name,
    format: state.format,
    location: state.location,
    schema: schemaJson(state.schema),
    partitionKeys: state.partitionKeys,
    properties: state.properties,
    ...(pointer.metadataLocation !== undefined ? { metadataLocation: pointer.metadataLocation } : {}),
    ...(pointer.previousMetadataLocation !== undefined ? { previousMetadataLocation: pointer.previousMetadataLocation } : {}),
    writtenAt: now.toISOString(),
  };
}

/** The catalog table of a live entry file. */
export function fromEntryFile(entry: EntryFile): CatalogTable {
  return {
    database: entry.database,
    name: entry.name,
    format: entry.format ?? 'delta',
    location: entry.location ?? '',
    schema: entry.schema ? schemaFromJson(entry.schema) : EMPTY_SCHEMA,
    partitionKeys: entry.partitionKeys ?? [],
    properties: entry.properties ?? {},
    ...(entry.metadataLocation !== undefined ? { metadataLocation: entry.metadataLocation } : {}),
    ...(entry.previousMetadataLocation !== undefined ? { previousMetadataLocation: entry.previousMetadataLocation } : {}),
    version: String(entry.version),
  };
}
