/**
 * The embedded query engine: an in-process DuckDB where every catalog table is a view
 * `<database>.<table>` over the Parquet files of its current snapshot. Snapshots are resolved by our
 * own format readers (no DuckDB extension, so it works offline); files of an S3 warehouse are read
 * from a local cache filled through our ObjectStore. Before each query the views of the tables it
 * names are brought up to the tables' latest snapshots, so a query sees every commit made before it.
 */
import { createHash } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { S3Client } from '@aws-sdk/client-s3';
import { NotFoundError, UsageError } from '../../etl/errors.js';
import { createDefaultS3Client } from '../../etl/storage/s3-client.js';
import { openStore } from '../../etl/storage/open-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { Catalog, CatalogTable, TableFormat } from '../catalog.js';
import { QueryCancelledError, QueryFailedError, QueryTimeoutError } from '../errors.js';
import { parseTableName, quoteIdentifier } from '../names.js';
import type { QueryEngine, QueryOptions, QueryResult, Row, SqlParam } from '../query/query-engine.js';
import { schemaJson } from '../table-entry.js';
import { DeltaSnapshotResolver } from './delta-resolver.js';
import { fromDuckValue, toDuckParam } from './duckdb-values.js';
import { FileCache } from './file-cache.js';
import { IcebergSnapshotResolver } from './iceberg-resolver.js';
import type { ResolvedSnapshot, SnapshotResolver, TableVersion } from './snapshot-resolver.js';
import { mentionedNames } from './table-mentions.js';
import { createViewSql, groupByPartition } from './view-sql.js';

/** Options of the DuckDB engine. */
export interface DuckDbEngineOptions {
  /** The catalog whose tables become views. */
  catalog: Catalog;
  /** Opens the store of a table location; by default `openStore` with one S3 client shared by all tables. */
  openStore?: (uri: string) => ObjectStore;
  /** Folder of the local copies of remote data files; by default {@link defaultCacheDir}. */
  cacheDir?: string;
  /** Snapshot resolvers by format; by default Delta's and Iceberg's (each call gets this engine's catalog). */
  resolvers?: SnapshotResolver[];
  /** Default time limit of a query, in ms (none by default). */
  timeoutMs?: number;
  /** DuckDB worker threads (DuckDB's default: one per core). */
  threads?: number;
}

/** A view the engine created. */
interface ViewState {
  /** What the view was built from (location, version, schema); unchanged means no rebuild. */
  signature: string;
  /** Total size of its data files. */
  bytes: number;
}

/** The refreshes of one table: the last one queued, and the one not started yet that callers can join. */
interface RefreshSlot {
  /** The last refresh queued (the next one starts after it). */
  tail: Promise<void>;
  /** A queued refresh that has not started yet. */
  waiting?: Promise<void>;
}

/** DuckDB over the catalog. */
export class DuckDbEngine implements QueryEngine {
  /** Always `duckdb`. */
  readonly name = 'duckdb';
  /** The catalog whose tables the engine exposes. */
  readonly catalog: Catalog;
  /** The local copy of remote data files. */
  readonly cache: FileCache;
  private readonly instance: DuckDBInstance;
  private readonly ddl: DuckDBConnection;
  private readonly openStore: (uri: string) => ObjectStore;
  private readonly resolvers: Map<TableFormat, SnapshotResolver>;
  private readonly defaultTimeoutMs: number | undefined;
  private readonly s3Client: { client?: S3Client };
  private readonly views = new Map<string, ViewState>();
  private readonly refreshing = new Map<string, RefreshSlot>();
  private ddlChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(instance: DuckDBInstance, ddl: DuckDBConnection, options: DuckDbEngineOptions) {
    this.instance = instance;
    this.ddl = ddl;
    this.catalog = options.catalog;
    this.cache = new FileCache(options.cacheDir);
    this.s3Client = {};
    this.openStore = options.openStore ?? ((uri) => openStore(uri, /^s3:/i.test(uri) ? { s3Client: (this.s3Client.client ??= createDefaultS3Client()) } : {}));
    const resolvers = options.resolvers ?? [new DeltaSnapshotResolver(), new IcebergSnapshotResolver()];
    this.resolvers = new Map(resolvers.map((r) => [r.format, r]));
    this.defaultTimeoutMs = options.timeoutMs;
  }

  /** Start an in-memory DuckDB (UTC session time zone, no extension downloads) over `options.catalog`. */
  static async open(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const config: Record<string, string> = {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    };
    if (options.threads !== undefined) config.threads = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const ddl = await instance.connect();
    // After start-up: the time zone setting needs the (statically linked) icu extension loaded.
    await ddl.run("SET GLOBAL TimeZone = 'UTC'");
    return new DuckDbEngine(instance, ddl, options);
  }

  /** See {@link QueryEngine.query}. The views of the tables the SQL names are refreshed first. */
  async query<R extends Row = Row>(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<QueryResult<R>> {
    if (this.closed) throw new UsageError('the DuckDB engine is closed');
    if (options.signal?.aborted) throw new QueryCancelledError(abortReason(options.signal));
    const started = performance.now();
    const values = params.map(toDuckParam);
    const mentioned = await this.refreshMentioned(sql);
    const connection = await this.instance.connect();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    let stopped: 'timeout' | 'cancelled' | undefined;
    const stop = (why: 'timeout' | 'cancelled') => {
      stopped ??= why;
      connection.interrupt();
    };
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeoutMs !== undefined ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
    try {
      const reader = values.length ? await connection.runAndReadAll(sql, values) : await connection.runAndReadAll(sql);
      if (stopped) throw new Error('interrupted');
      const names = reader.columnNames();
      const columns = reader.columnTypes().map((type, i) => ({ name: names[i]!, type: String(type).toLowerCase() }));
      const rows = reader.getRows().map((values) => {
        const row: Row = {};
        values.forEach((value, i) => (row[names[i]!] = fromDuckValue(value)));
        return row as R;
      });
      const bytesScanned = mentioned.reduce((sum, key) => sum + (this.views.get(key)?.bytes ?? 0), 0);
      return { columns, rows, stats: { rows: rows.length, bytesScanned, elapsedMs: performance.now() - started } };
    } catch (err) {
      if (stopped === 'timeout') throw new QueryTimeoutError(timeoutMs!, { cause: err });
      if (stopped === 'cancelled') throw new QueryCancelledError(abortReason(options.signal!), { cause: err });
      throw new QueryFailedError(err instanceof Error ? err.message : String(err), { cause: err });
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      connection.closeSync();
    }
  }

  /**
   * Expose `table` (`database.table`) as it was at `at` (a version, or the latest version
   * committed at a time) and return the SQL name of that read-only view, e.g.
   * `"ecommerce"."orders@v3"`, to use in a query. Throws `NotFoundError` for an unknown table or version.
   */
  async tableAt(table: string, at: TableVersion): Promise<string> {
    const { database, name } = parseTableName(table);
    const entry = await this.catalog.getTable(database, name);
    if (!entry) throw new NotFoundError(`table ${table} is not in the ${this.catalog.kind} catalog`);
    const { resolver, store } = this.access(entry);
    const snapshot = await resolver.resolve(entry, store, { catalog: this.catalog }, at);
    const pinned = `${name}@v${snapshot.version}`;
    const key = `${database}.${pinned}`;
    if (!this.views.has(key)) await this.createView(database, pinned, entry, snapshot);
    return `${quoteIdentifier(database)}.${quoteIdentifier(pinned)}`;
  }

  /** Expose every table of the catalog now (normally views are made when a query names them); returns their names. */
  async refresh(): Promise<string[]> {
    const tables = await this.catalog.listTables();
    await Promise.all(tables.map((t) => this.refreshTable(t.database, t.name)));
    return tables.map((t) => `${t.database}.${t.name}`);
  }

  /** Close DuckDB and the S3 client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ddlChain.catch(() => undefined);
    this.ddl.closeSync();
    this.instance.closeSync();
    this.s3Client.client?.destroy();
  }

  /** Refresh the views of the catalog tables `sql` names; returns the view keys it names. */
  private async refreshMentioned(sql: string): Promise<string[]> {
    const mentions = mentionedNames(sql);
    if (mentions.length === 0) return [];
    const databases = new Set(await this.catalog.listDatabases());
    const named = mentions.filter((m) => databases.has(m.database));
    await Promise.all(named.filter((m) => !m.name.includes('@')).map((m) => this.refreshTable(m.database, m.name)));
    return named.map((m) => `${m.database}.${m.name}`).filter((key) => this.views.has(key));
  }

  /**
   * Bring the view of one table up to its latest snapshot. Refreshes of a table run one at a time;
   * a caller joins a refresh that has not started yet (it will see every commit made before the
   * call), never one already running (it might have read the log too early).
   */
  private refreshTable(database: string, name: string): Promise<void> {
    const key = `${database}.${name}`;
    let slot = this.refreshing.get(key);
    if (!slot) {
      slot = { tail: Promise.resolve() };
      this.refreshing.set(key, slot);
    }
    if (slot.waiting) return slot.waiting;
    const current = slot;
    const run = current.tail
      .catch(() => undefined)
      .then(() => {
        current.waiting = undefined;
        return this.rebuildIfChanged(database, name);
      });
    current.waiting = run;
    current.tail = run;
    return run;
  }

  private async rebuildIfChanged(database: string, name: string): Promise<void> {
    const key = `${database}.${name}`;
    const entry = await this.catalog.getTable(database, name);
    if (!entry) {
      if (this.views.delete(key)) {
        await this.runDdl(`DROP VIEW IF EXISTS ${quoteIdentifier(database)}.${quoteIdentifier(name)}`);
      }
      return;
    }
    const { resolver, store } = this.access(entry);
    const snapshot = await resolver.resolve(entry, store, { catalog: this.catalog });
    if (this.views.get(key)?.signature === signatureOf(entry, snapshot)) return;
    await this.createView(database, name, entry, snapshot);
  }

  /** Create (or replace) the view `database.viewName` over a snapshot's files. */
  private async createView(database: string, viewName: string, entry: CatalogTable, snapshot: ResolvedSnapshot): Promise<void> {
    const store = snapshot.store;
    const keys = snapshot.files.map((f) => f.key);
    const local = keys.map((k) => store.localPath(k));
    const paths = local.every((p) => p !== undefined) ? (local as string[]) : await this.cache.localPaths(store, keys);
    const pathOf = new Map(keys.map((k, i) => [k, paths[i]!]));
    const groups = groupByPartition(snapshot.files, snapshot.partitionColumns).map((g) => ({
      partitionValues: g.partitionValues,
      paths: g.files.map((f) => pathOf.get(f.key)!),
    }));
    const sql = createViewSql(
      `${quoteIdentifier(database)}.${quoteIdentifier(viewName)}`,
      snapshot.schema,
      snapshot.partitionColumns,
      snapshot.partitionColumnsInFiles,
      groups,
    );
    await this.runDdl(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(database)}`);
    await this.runDdl(sql);
    const bytes = snapshot.files.reduce((sum, f) => sum + f.size, 0);
    this.views.set(`${database}.${viewName}`, { signature: signatureOf(entry, snapshot), bytes });
  }

  /** The resolver and table store of a catalog table. */
  private access(entry: CatalogTable): { resolver: SnapshotResolver; store: ObjectStore } {
    const resolver = this.resolvers.get(entry.format);
    if (!resolver) {
      throw new UsageError(`${entry.database}.${entry.name} is a ${entry.format} table and this DuckDB engine has no ${entry.format} snapshot resolver`);
    }
    return { resolver, store: this.openStore(entry.location) };
  }

  /** Run DDL on the engine's own connection, one statement at a time. */
  private runDdl(sql: string): Promise<void> {
    const next = this.ddlChain.then(async () => {
      await this.ddl.run(sql);
    });
    this.ddlChain = next.catch(() => undefined);
    return next;
  }
}

/**
 * What a view was built from. The files are part of it: an Iceberg table dropped and re-created
 * under the same name and location starts again at the same sequence numbers with other files.
 */
function signatureOf(entry: CatalogTable, snapshot: ResolvedSnapshot): string {
  const files = createHash('sha256');
  for (const f of snapshot.files) files.update(`${f.key}\u0000`);
  return JSON.stringify([entry.location, snapshot.version, schemaJson(snapshot.schema), snapshot.partitionColumns, files.digest('hex')]);
}

function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}
