/**
 * Resolves Iceberg snapshots with our own reader (`etl/iceberg`), the engine's catalog serving as the
 * metadata pointer store (identifier `<database>.<name>`); no DuckDB extension involved. Versions
 * are sequence numbers: `{ version: n }` is the snapshot with sequence number `n`, `0` the table as
 * created (no snapshot yet, no files); `{ timestamp }` is the snapshot current at that time (by the
 * snapshot log). The columns come from the table metadata, not from the catalog entry (a table first
 * registered by its pointer swap has no columns there). Data files hold their partition source
 * columns, so no partition literals are added; files are read by column name (our writer keeps the
 * Parquet names equal to the schema's; there is no schema evolution in `etl/iceberg` yet).
 */
import { NotFoundError, UsageError } from '../../etl/errors.js';
import { IcebergTable } from '../../etl/iceberg/table.js';
import { IcebergTableNotFoundError } from '../../etl/iceberg/errors.js';
import type { MetadataPointerStore } from '../../etl/iceberg/metadata-pointer.js';
import { arrowSchemaOf, type IcebergSchema } from '../../etl/iceberg/schema.js';
import { currentSchema, defaultSpec, metadataVersionOf, type Snapshot, type TableMetadata } from '../../etl/iceberg/table-metadata.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { CatalogTable } from '../catalog.js';
import type { ResolveContext, ResolvedSnapshot, SnapshotResolver, TableVersion } from './snapshot-resolver.js';

/** A snapshot choice and its columns; no snapshot: the table as created (sequence number 0, no files). */
interface Chosen {
  /** The snapshot, or undefined for the table as created (or a table without any yet). */
  snapshot: Snapshot | undefined;
  /** The schema to expose. */
  schema: IcebergSchema;
}

/** The open table of one identifier and location, and the last resolve queued on it. */
interface OpenTable {
  /** The table, once opened. */
  table?: IcebergTable;
  /** Resolves of one table run one at a time (a refresh must not overtake another one's reads). */
  tail: Promise<unknown>;
}

/** The Iceberg resolver. Keeps one open table per catalog, identifier and location, refreshed on every call. */
export class IcebergSnapshotResolver implements SnapshotResolver {
  /** Always `iceberg`. */
  readonly format = 'iceberg' as const;
  private readonly open = new WeakMap<MetadataPointerStore, Map<string, OpenTable>>();

  /**
   * The data files of the Iceberg table `table` (rooted at `store`) at `at` (the current snapshot
   * when omitted), its pointer read from `context.catalog`. Throws `NotFoundError` when the catalog
   * has no metadata pointer for it or no snapshot matches `at`, `UsageError` for a data file outside
   * the table location, and the Iceberg reader's error for delete files.
   */
  resolve(table: CatalogTable, store: ObjectStore, context: ResolveContext, at?: TableVersion): Promise<ResolvedSnapshot> {
    const identifier = `${table.database}.${table.name}`;
    const slot = this.slot(context.catalog, `${identifier}\u0000${store.uri}`);
    const run = slot.tail.catch(() => undefined).then(async () => {
      const iceberg = await refreshed(slot, context.catalog, identifier, store);
      return snapshotFiles(iceberg, identifier, store, at);
    });
    slot.tail = run;
    return run;
  }

  private slot(pointers: MetadataPointerStore, key: string): OpenTable {
    let tables = this.open.get(pointers);
    if (!tables) {
      tables = new Map();
      this.open.set(pointers, tables);
    }
    let slot = tables.get(key);
    if (!slot) {
      slot = { tail: Promise.resolve() };
      tables.set(key, slot);
    }
    return slot;
  }
}

/** The slot's table brought up to the catalog's current pointer (opened when new, dropped, re-created or unreadable). */
async function refreshed(slot: OpenTable, pointers: MetadataPointerStore, identifier: string, store: ObjectStore): Promise<IcebergTable> {
  if (slot.table) {
    try {
      await slot.table.refresh();
      return slot.table;
    } catch {
      slot.table = undefined;
    }
  }
  try {
    slot.table = await IcebergTable.open(store, pointers, identifier);
    return slot.table;
  } catch (err) {
    if (err instanceof IcebergTableNotFoundError) throw new NotFoundError(`${err.message} (${store.uri})`, { cause: err });
    throw err;
  }
}

/** The resolved snapshot `at` of an up-to-date table. */
async function snapshotFiles(iceberg: IcebergTable, identifier: string, store: ObjectStore, at: TableVersion | undefined): Promise<ResolvedSnapshot> {
  const metadata = iceberg.metadata;
  const chosen = choose(metadata, identifier, at);
  // No snapshot: no files (`dataFiles(undefined)` would read the current snapshot).
  const files = chosen.snapshot ? await iceberg.dataFiles(chosen.snapshot) : [];
  const spec = defaultSpec(metadata);
  const partitionColumns = [...new Set(spec.fields.flatMap((f) => chosen.schema.fields.filter((c) => c.id === f['source-id']).map((c) => c.name)))];
  return {
    version: chosen.snapshot?.['sequence-number'] ?? 0,
    schema: arrowSchemaOf(chosen.schema),
    partitionColumns,
    partitionColumnsInFiles: true,
    store,
    files: files.map((f) => {
      if (f.key === undefined) throw new UsageError(`${identifier}: data file ${f.uri} lies outside the table location ${store.uri}`);
      return { key: f.key, size: f.fileSizeInBytes, partitionValues: {} };
    }),
  };
}

/** The snapshot `at` names in `metadata` (the current one when omitted). */
function choose(metadata: TableMetadata, identifier: string, at: TableVersion | undefined): Chosen {
  const current = currentSchema(metadata);
  const schemaOf = (snapshot: Snapshot | undefined) =>
    metadata.schemas.find((s) => s['schema-id'] === (snapshot ? snapshot['schema-id'] : 0)) ?? current;
  if (at === undefined) {
    const id = metadata['current-snapshot-id'];
    const snapshot = id === undefined || id === null ? undefined : metadata.snapshots.find((s) => s['snapshot-id'] === id);
    return { snapshot, schema: current };
  }
  if ('version' in at) {
    if (at.version === 0 && reachesCreation(metadata)) return { snapshot: undefined, schema: schemaOf(undefined) };
    const snapshot = metadata.snapshots.find((s) => s['sequence-number'] === at.version);
    if (!snapshot) {
      const known = metadata.snapshots.map((s) => s['sequence-number']).sort((a, b) => a - b);
      throw new NotFoundError(`${identifier}: version ${at.version} does not exist (sequence numbers: ${known.join(', ') || 'none'})`);
    }
    return { snapshot, schema: schemaOf(snapshot) };
  }
  const asOf = at.timestamp.getTime();
  let found: bigint | undefined;
  for (const entry of metadata['snapshot-log']) if (entry['timestamp-ms'] <= asOf) found = entry['snapshot-id'];
  const snapshot = found === undefined ? undefined : metadata.snapshots.find((s) => s['snapshot-id'] === found);
  if (snapshot) return { snapshot, schema: schemaOf(snapshot) };
  const created = createdAtMs(metadata);
  if (found === undefined && created !== undefined && asOf >= created && reachesCreation(metadata)) {
    return { snapshot: undefined, schema: schemaOf(undefined) };
  }
  throw new NotFoundError(`${identifier}: no snapshot at or before ${at.timestamp.toISOString()} (the table did not exist yet, or that history was expired)`);
}

/** True while the history reaches back to the table's creation: no snapshot of its lineage was expired. */
function reachesCreation(metadata: TableMetadata): boolean {
  return metadata.snapshots.length === 0 || metadata.snapshots.some((s) => s['parent-snapshot-id'] == null);
}

/** When the table was created (its first metadata file), or undefined when the metadata log no longer says. */
function createdAtMs(metadata: TableMetadata): number | undefined {
  const first = metadata['metadata-log'][0];
  if (!first) return metadata.snapshots.length === 0 ? metadata['last-updated-ms'] : undefined;
  return metadataVersionOf(first['metadata-file']) === 0 ? first['timestamp-ms'] : undefined;
}
