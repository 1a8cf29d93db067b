/**
 * Rules both catalogs share for table entries: checking a definition, merging an update into the
 * registered table (columns are never lost), telling whether anything changed, and the table root of
 * an Iceberg metadata file.
 */
import * as arrow from 'apache-arrow';
import { UsageError } from '../etl/errors.js';
import { fromSchemaString, toSchemaString } from '../etl/delta/schema.js';
import type { CatalogTable, TableDefinition, TableFormat } from './catalog.js';
import { checkIdentifier } from './names.js';

/** Property keys the catalogs use themselves (Glue parameters). */
const RESERVED_KEYS = new Set(['table_type', 'metadata_location', 'previous_metadata_location', 'spark.sql.sources.provider', 'EXTERNAL']);
/** Prefix of the properties the lakehouse keeps for itself. */
export const RESERVED_PREFIX = 'lakehouse.';

/** True when a property key is reserved by the catalogs. */
export function isReservedProperty(key: string): boolean {
  return RESERVED_KEYS.has(key) || key.startsWith(RESERVED_PREFIX);
}

/** The table state a registration sets (everything but the pointer and the version token). */
export interface TableState {
  /** Table format. */
  format: TableFormat;
  /** URI of the table root. */
  location: string;
  /** Columns. */
  schema: arrow.Schema;
  /** Partition columns. */
  partitionKeys: string[];
  /** Properties. */
  properties: Record<string, string>;
}

/** Throw `UsageError` unless the definition is complete and consistent. */
export function checkDefinition(definition: TableDefinition): void {
  checkIdentifier(definition.database, 'database');
  checkIdentifier(definition.name, 'table');
  if (definition.format !== 'delta' && definition.format !== 'iceberg') {
    throw new UsageError(`table format must be "delta" or "iceberg", got ${JSON.stringify(definition.format)}`);
  }
  if (typeof definition.location !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/./i.test(definition.location)) {
    throw new UsageError(`table location must be a URI (s3://..., file:///...), got ${JSON.stringify(definition.location)}`);
  }
  if (!(definition.schema instanceof arrow.Schema)) throw new UsageError('table schema must be an Arrow schema');
  const names = definition.schema.fields.map((f) => f.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new UsageError(`column ${duplicate} appears twice in the schema`);
  for (const key of definition.partitionKeys ?? []) {
    if (!names.includes(key)) throw new UsageError(`partition key ${key} is not a column of ${definition.database}.${definition.name}`);
  }
  for (const [key, value] of Object.entries(definition.properties ?? {})) {
    if (isReservedProperty(key)) throw new UsageError(`table property ${key} is reserved by the catalog`);
    if (typeof value !== 'string') throw new UsageError(`table property ${key} must be a string`);
  }
  // The schema must be expressible (throws for Arrow types with no catalog equivalent).
  toSchemaString(definition.schema);
}

/**
 * Merge columns: the columns of `current` in their order, each replaced by the column of the same
 * name in `next` when there is one, then the columns only `next` has.
 */
export function mergeSchemas(current: arrow.Schema, next: arrow.Schema): arrow.Schema {
  const byName = new Map(next.fields.map((f) => [f.name, f]));
  const kept = current.fields.map((f) => byName.get(f.name) ?? f);
  const known = new Set(current.fields.map((f) => f.name));
  return new arrow.Schema([...kept, ...next.fields.filter((f) => !known.has(f.name))]);
}

/**
 * The state after registering `definition` over `current` (absent for a new table). Throws
 * `UsageError` when the definition would change the table's format.
 */
export function mergeDefinition(current: CatalogTable | undefined, definition: TableDefinition): TableState {
  const next: TableState = {
    format: definition.format,
    location: definition.location,
    schema: definition.schema,
    partitionKeys: [...(definition.partitionKeys ?? [])],
    properties: { ...(definition.properties ?? {}) },
  };
  if (!current) return next;
  if (current.format !== definition.format) {
    throw new UsageError(
      `${definition.database}.${definition.name} is registered as a ${current.format} table; it cannot be re-registered as ${definition.format} (drop it first)`,
    );
  }
  return {
    ...next,
    schema: mergeSchemas(current.schema, definition.schema),
    properties: { ...current.properties, ...next.properties },
  };
}

/** True when `state` is what `table` already holds. */
export function sameState(table: CatalogTable, state: TableState): boolean {
  return (
    table.format === state.format &&
    table.location === state.location &&
    schemaJson(table.schema) === schemaJson(state.schema) &&
    JSON.stringify(table.partitionKeys) === JSON.stringify(state.partitionKeys) &&
    JSON.stringify(sortedEntries(table.properties)) === JSON.stringify(sortedEntries(state.properties))
  );
}

/** The schema as JSON (Delta's Spark struct form: names, types, nullability). */
export function schemaJson(schema: arrow.Schema): string {
  return toSchemaString(schema);
}

/** The schema of its JSON form. */
export function schemaFromJson(json: string): arrow.Schema {
  return fromSchemaString(json);
}

/** An empty schema (an Iceberg table registered by its first pointer swap). */
export const EMPTY_SCHEMA = new arrow.Schema([]);

/**
 * The table root of an Iceberg metadata file: the folder above `metadata/`
 * (`s3://b/wh/t/metadata/00001-x.metadata.json` -> `s3://b/wh/t`), else the file's folder.
 */
export function tableRootOf(metadataLocation: string): string {
  const at = metadataLocation.lastIndexOf('/metadata/');
  if (at > 0) return metadataLocation.slice(0, at);
  const slash = metadataLocation.lastIndexOf('/');
  return slash > 0 ? metadataLocation.slice(0, slash) : metadataLocation;
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
