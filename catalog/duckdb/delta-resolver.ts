/** Resolves Delta snapshots with our own log reader (`etl/delta`); no DuckDB extension involved. */
import { DeltaTable } from '../../etl/delta/table.js';
import { NotFoundError } from '../../etl/errors.js';
import { fileKey } from '../../etl/delta/read-files.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { CatalogTable } from '../catalog.js';
import type { ResolveContext, ResolvedSnapshot, SnapshotResolver, TableVersion } from './snapshot-resolver.js';

/** The Delta resolver. Keeps one open table per location and advances it incrementally. */
export class DeltaSnapshotResolver implements SnapshotResolver {
  /** Always `delta`. */
  readonly format = 'delta' as const;
  private readonly tables = new Map<string, Promise<DeltaTable>>();

  /** The files of the Delta table at `store` at `at` (latest when omitted); the Delta log needs nothing from the catalog. */
  async resolve(table: CatalogTable, store: ObjectStore, _context: ResolveContext, at?: TableVersion): Promise<ResolvedSnapshot> {
    const delta = await this.open(store);
    const version = at === undefined ? undefined : 'version' in at ? at.version : await delta.versionAt(at.timestamp.getTime());
    const snapshot = await delta.snapshotAt(version);
    if (version !== undefined && snapshot.version !== version) {
      throw new NotFoundError(`${store.uri}: version ${version} does not exist (the latest is ${snapshot.version})`);
    }
    return {
      version: snapshot.version,
      schema: snapshot.schema,
      partitionColumns: snapshot.partitionColumns,
      partitionColumnsInFiles: false,
      store,
      files: [...snapshot.files.values()].map((add) => ({ key: fileKey(add), size: add.size, partitionValues: add.partitionValues })),
    };
  }

  private open(store: ObjectStore): Promise<DeltaTable> {
    let table = this.tables.get(store.uri);
    if (!table) {
      table = DeltaTable.open(store);
      this.tables.set(store.uri, table);
      // A failed open (no table yet) is not remembered.
      table.catch(() => this.tables.delete(store.uri));
    }
    return table;
  }
}
