/**
 * The embedded catalog: JSON files under `<warehouse>/_lakehouse/catalog/`, written through an
 * ObjectStore, so it works on a local folder and on S3 alike. Every change of a table's entry is a
 * create-only put of the next version file; the store lets exactly one of concurrent writers
 * create a key, so updates (and Iceberg pointer swaps) are atomic across processes. A writer that
 * loses re-reads and re-applies its change (a swap whose expected pointer has moved fails instead).
 */
import { AlreadyExistsError, CommitConflictError, NotFoundError, UsageError } from '../../etl/errors.js';
import type { MetadataPointer } from '../../etl/iceberg/metadata-pointer.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { backoffDelay, sleep } from '../backoff.js';
import type { Catalog, CatalogTable, TableDefinition } from '../catalog.js';
import { checkIdentifier, parseTableName } from '../names.js';
import { checkDefinition, EMPTY_SCHEMA, mergeDefinition, sameState, tableRootOf, type TableState } from '../table-entry.js';
import {
  CATALOG_PREFIX,
  databaseKey,
  DATABASES_PREFIX,
  entryKey,
  fromEntryFile,
  parseDatabaseKey,
  parseEntryKey,
  tablePrefix,
  toEntryFile,
  type EntryFile,
} from './entry-file.js';

/** Options of the embedded catalog. */
export interface EmbeddedCatalogOptions {
  /** Attempts of one update while other writers keep taking the next version (default 50). */
  maxAttempts?: number;
  /** Clock for the `writtenAt` of entries (tests inject one). */
  now?: () => Date;
}

/** What an update wants written, given the latest entry: a new entry file, or nothing. */
type Change = (latest: EntryFile | undefined, version: number) => EntryFile | undefined;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A catalog stored in the warehouse itself. */
export class EmbeddedCatalog implements Catalog {
  /** Always `embedded`. */
  readonly kind = 'embedded';
  /** Store rooted at `<warehouse>/_lakehouse/catalog`. */
  readonly store: ObjectStore;
  private readonly maxAttempts: number;
  private readonly now: () => Date;
  /** Databases known to exist (a database is never removed). */
  private readonly databases = new Set<string>();
  /** Highest entry version seen per table prefix: a lower bound, since entry files are never deleted. */
  private readonly highest = new Map<string, number>();
  /** Parsed entry files by key (they are immutable). */
  private readonly entries = new Map<string, EntryFile>();

  /** A catalog in `warehouse` (the store of the warehouse root). */
  constructor(warehouse: ObjectStore, options: EmbeddedCatalogOptions = {}) {
    this.store = new PrefixedStore(warehouse, CATALOG_PREFIX);
    this.maxAttempts = options.maxAttempts ?? 50;
    this.now = options.now ?? (() => new Date());
  }

  /** Create-only put of the database marker; false when it already existed. */
  async createDatabase(name: string): Promise<boolean> {
    checkIdentifier(name, 'database');
    const body = encoder.encode(`${JSON.stringify({ name, createdAt: this.now().toISOString() })}\n`);
    try {
      await this.store.putIfAbsent(databaseKey(name), body);
      this.databases.add(name);
      return true;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      this.databases.add(name);
      return false;
    }
  }

  /** Names of all databases, sorted. */
  async listDatabases(): Promise<string[]> {
    const names: string[] = [];
    for await (const meta of this.store.list(DATABASES_PREFIX)) {
      const name = parseDatabaseKey(meta.key);
      if (name !== undefined) names.push(name);
    }
    return names.sort();
  }

  /** See {@link Catalog.registerTable}. */
  async registerTable(definition: TableDefinition): Promise<CatalogTable> {
    checkDefinition(definition);
    const { database, name } = definition;
    await this.requireDatabase(database);
    const written = await this.update(database, name, (latest, version) => {
      const current = live(latest);
      const state = mergeDefinition(current, definition);
      if (current && sameState(current, state)) return undefined;
      return toEntryFile(database, name, version, state, pointerOf(latest), this.now());
    });
    return fromEntryFile(written!);
  }

  /** See {@link Catalog.getTable}. */
  async getTable(database: string, name: string): Promise<CatalogTable | undefined> {
    checkIdentifier(database, 'database');
    checkIdentifier(name, 'table');
    await this.requireDatabase(database);
    return live(await this.latest(database, name));
  }

  /** See {@link Catalog.listTables}. */
  async listTables(database?: string): Promise<CatalogTable[]> {
    if (database !== undefined) {
      checkIdentifier(database, 'database');
      await this.requireDatabase(database);
    }
    const latest = new Map<string, { key: string; version: number }>();
    for await (const meta of this.store.list(tablePrefix(database))) {
      const parsed = parseEntryKey(meta.key);
      if (!parsed) continue;
      const id = `${parsed.database}.${parsed.name}`;
      if ((latest.get(id)?.version ?? -1) < parsed.version) latest.set(id, { key: meta.key, version: parsed.version });
    }
    const tables = await Promise.all([...latest.values()].map(async ({ key }) => live(await this.readEntry(key))));
    return tables
      .filter((t): t is CatalogTable => t !== undefined)
      .sort((a, b) => (a.database === b.database ? compare(a.name, b.name) : compare(a.database, b.database)));
  }

  /** Writes a tombstone entry; false when the table was not registered. */
  async dropTable(database: string, name: string): Promise<boolean> {
    checkIdentifier(database, 'database');
    checkIdentifier(name, 'table');
    await this.requireDatabase(database);
    let dropped = false;
    await this.update(database, name, (latest, version) => {
      dropped = false;
      if (!live(latest)) return undefined;
      dropped = true;
      return { version, database, name, dropped: true, writtenAt: this.now().toISOString() };
    });
    return dropped;
  }

  /** The Iceberg pointer of `table` (`database.name`); the token is the entry version. */
  async current(table: string): Promise<MetadataPointer | undefined> {
    const { database, name } = parseTableName(table);
    const entry = await this.latest(database, name);
    if (!entry || entry.dropped || entry.metadataLocation === undefined) return undefined;
    return { metadataLocation: entry.metadataLocation, token: String(entry.version) };
  }

  /**
   * Write the next entry version pointing at `next`, only if the current pointer is still
   * `expected` (compared by metadata location; undefined: the table has no pointer yet). A table
   * that is not registered is registered by its first swap as an Iceberg table rooted above
   * `metadata/`. Throws `CommitConflictError` when the pointer moved, `NotFoundError` when the
   * database does not exist, `UsageError` for a Delta table.
   */
  async swap(table: string, expected: MetadataPointer | undefined, next: string): Promise<MetadataPointer> {
    const { database, name } = parseTableName(table);
    await this.requireDatabase(database);
    const written = await this.update(database, name, (latest, version) => {
      const current = live(latest);
      const pointer = current?.metadataLocation;
      if (pointer !== expected?.metadataLocation) {
        throw new CommitConflictError(
          `${table}: the metadata pointer is ${pointer ?? 'unset'}, not ${expected?.metadataLocation ?? 'unset'} as expected (another writer committed)`,
        );
      }
      if (current && current.format !== 'iceberg') {
        throw new UsageError(`${table} is a ${current.format} table; only Iceberg tables have a metadata pointer`);
      }
      const state: TableState = current ?? { format: 'iceberg', location: tableRootOf(next), schema: EMPTY_SCHEMA, partitionKeys: [], properties: {} };
      return toEntryFile(database, name, version, state, { metadataLocation: next, previousMetadataLocation: pointer }, this.now());
    });
    return { metadataLocation: next, token: String(written!.version) };
  }

  /**
   * Apply `change` to the latest entry and write the result as the next version, create-only. When
   * another writer took that version first, re-read and apply again (up to `maxAttempts`).
   * Returns the entry written, or the latest one when `change` wanted nothing written.
   */
  private async update(database: string, name: string, change: Change): Promise<EntryFile | undefined> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const latest = await this.latest(database, name);
      const version = (latest?.version ?? -1) + 1;
      const entry = change(latest, version);
      if (entry === undefined) return latest;
      const key = entryKey(database, name, version);
      try {
        await this.store.putIfAbsent(key, encoder.encode(`${JSON.stringify(entry)}\n`));
        this.entries.set(key, entry);
        this.raise(tablePrefix(database, name), version);
        return entry;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        this.raise(tablePrefix(database, name), version);
        await sleep(backoffDelay(attempt, 2, 100));
      }
    }
    throw new CommitConflictError(`${database}.${name}: gave up updating the catalog entry after ${this.maxAttempts} attempts (other writers kept winning)`);
  }

  /** The latest entry file of a table (a tombstone included), or undefined when there is none. */
  private async latest(database: string, name: string): Promise<EntryFile | undefined> {
    const prefix = tablePrefix(database, name);
    const known = this.highest.get(prefix);
    let version = known ?? -1;
    const startAfter = known !== undefined ? entryKey(database, name, known) : undefined;
    for await (const meta of this.store.list(prefix, startAfter !== undefined ? { startAfter } : {})) {
      const parsed = parseEntryKey(meta.key);
      if (parsed && parsed.version > version) version = parsed.version;
    }
    if (version < 0) return undefined;
    this.raise(prefix, version);
    return this.readEntry(entryKey(database, name, version));
  }

  private async readEntry(key: string): Promise<EntryFile> {
    const cached = this.entries.get(key);
    if (cached) return cached;
    const entry = JSON.parse(decoder.decode(await this.store.get(key))) as EntryFile;
    this.entries.set(key, entry);
    return entry;
  }

  private raise(prefix: string, version: number): void {
    if ((this.highest.get(prefix) ?? -1) < version) this.highest.set(prefix, version);
  }

  private async requireDatabase(database: string): Promise<void> {
    if (this.databases.has(database)) return;
    if (!(await this.store.head(databaseKey(database)))) {
      throw new NotFoundError(`database ${database} does not exist in the embedded catalog at ${this.store.uri}`);
    }
    this.databases.add(database);
  }
}

/** The table of an entry file, or undefined for none or a tombstone. */
function live(entry: EntryFile | undefined): CatalogTable | undefined {
  return entry && !entry.dropped ? fromEntryFile(entry) : undefined;
}

/** The pointer an update must carry over from the latest entry. */
function pointerOf(latest: EntryFile | undefined): { metadataLocation?: string; previousMetadataLocation?: string } {
  if (!latest || latest.dropped) return {};
  return { metadataLocation: latest.metadataLocation, previousMetadataLocation: latest.previousMetadataLocation };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
