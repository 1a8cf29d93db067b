/** A Delta table: create or open it, read any version, list its history. Operations live in operations/. */
import { randomUUID } from 'node:crypto';
import type * as arrow from 'apache-arrow';
import { systemClock, type Clock } from '../clock.js';
import { compilePredicate, type Predicate } from '../predicate.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Action, CommitInfoAction } from './actions.js';
import { SchemaEnforcementError, TableExistsError, TableNotFoundError } from './errors.js';
import { LogStore } from './log-store.js';
import { readDataFile } from './read-files.js';
import { toSchemaString } from './schema.js';
import { loadSnapshot, updateSnapshot, type Snapshot } from './snapshot.js';
import { commit, type CommitOptions } from './transaction.js';
import type { WriteFilesOptions } from './write-files.js';

/** What a new table looks like. */
export interface TableDefinition {
  /** Columns. */
  schema: arrow.Schema;
  /** Partition columns (must be in the schema). */
  partitionColumns?: string[];
  /** Table properties, e.g. `{'delta.checkpointInterval': '10'}`. */
  configuration?: Record<string, string>;
  /** Optional name. */
  name?: string;
  /** Optional description. */
  description?: string;
}

/** Options shared by a table's operations. */
export interface TableOptions {
  /** Clock for timestamps and retention (tests inject one). */
  clock?: Clock;
  /** Commit loop options. */
  commit?: CommitOptions;
  /** Parquet writing options. */
  files?: WriteFilesOptions;
}

/** One entry of the table history. */
export interface HistoryEntry {
  /** Version. */
  version: number;
  /** Commit time (commitInfo.timestamp, else the commit file's modification time), ms. */
  timestamp: number;
  /** Operation, e.g. WRITE, MERGE, OPTIMIZE. */
  operation: string;
  /** Operation parameters. */
  operationParameters: Record<string, unknown>;
  /** Operation metrics. */
  operationMetrics: Record<string, unknown>;
  /** The whole commitInfo. */
  commitInfo: CommitInfoAction;
}

/** Options for scanning rows. */
export interface ScanOptions {
  /** Version to read (latest by default). */
  version?: number;
  /** Columns to read (all by default). */
  columns?: string[];
  /** Only files whose partition values satisfy this predicate (partition columns only). */
  partitionFilter?: Predicate;
}

/** A handle on one Delta table. */
export class DeltaTable {
  /** Store rooted at the table folder. */
  readonly store: ObjectStore;
  /** The table's log. */
  readonly log: LogStore;
  /** Options used by operations. */
  readonly options: TableOptions;
  /** The snapshot last loaded. */
  snapshot: Snapshot;

  private constructor(store: ObjectStore, snapshot: Snapshot, options: TableOptions) {
    this.store = store;
    this.log = new LogStore(store);
    this.snapshot = snapshot;
    this.options = options;
  }

  /** The clock of this table. */
  get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  /** Current version of the loaded snapshot. */
  get version(): number {
    return this.snapshot.version;
  }

  /** Table schema of the loaded snapshot. */
  get schema(): arrow.Schema {
    return this.snapshot.schema;
  }

  /** Open the latest version. Throws TableNotFoundError when there is no table. */
  static async open(store: ObjectStore, options: TableOptions = {}): Promise<DeltaTable> {
    return new DeltaTable(store, await loadSnapshot(new LogStore(store), undefined), options);
  }

  /** True when a table exists at the store root. */
  static async exists(store: ObjectStore): Promise<boolean> {
    const files = await new LogStore(store).list(-1);
    return files.length > 0;
  }

  /** Create a table (version 0). Throws TableExistsError when one exists. */
  static async create(store: ObjectStore, definition: TableDefinition, options: TableOptions = {}): Promise<DeltaTable> {
    const log = new LogStore(store);
    if (await DeltaTable.exists(store)) throw new TableExistsError(store.uri);
    const partitionColumns = definition.partitionColumns ?? [];
    for (const column of partitionColumns) {
      if (!definition.schema.fields.some((f) => f.name === column)) {
        throw new SchemaEnforcementError(column, `partition column ${column} is not in the schema`);
      }
    }
    const clock = options.clock ?? systemClock;
    const actions: Action[] = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: randomUUID(),
          name: definition.name ?? null,
          description: definition.description ?? null,
          format: { provider: 'parquet', options: {} },
          schemaString: toSchemaString(definition.schema),
          partitionColumns,
          configuration: definition.configuration ?? {},
          createdTime: clock.now(),
        },
      },
    ];
    await commit(
      log,
      {
        readVersion: -1,
        actions,
        operation: 'CREATE TABLE',
        operationParameters: { partitionBy: JSON.stringify(partitionColumns), mode: 'ErrorIfExists' },
        scope: { blindAppend: true, readFiles: new Set(), removedFiles: new Set() },
      },
      { ...options.commit, clock },
    );
    return DeltaTable.open(store, options);
  }

  /** Open the table, creating it from `definition` when absent (safe when several processes race). */
  static async openOrCreate(store: ObjectStore, definition: TableDefinition, options: TableOptions = {}): Promise<DeltaTable> {
    try {
      return await DeltaTable.open(store, options);
    } catch (err) {
      if (!(err instanceof TableNotFoundError)) throw err;
    }
    try {
      return await DeltaTable.create(store, definition, options);
    } catch (err) {
      if (err instanceof TableExistsError) return DeltaTable.open(store, options);
      throw err;
    }
  }

  /** Advance to the latest version; returns the new snapshot. */
  async refresh(): Promise<Snapshot> {
    this.snapshot = await updateSnapshot(this.log, this.snapshot);
    return this.snapshot;
  }

  /** The snapshot of an older (or the latest) version, without changing this handle. */
  async snapshotAt(version?: number): Promise<Snapshot> {
    if (version === undefined) return this.refresh();
    if (version === this.snapshot.version) return this.snapshot;
    if (version > this.snapshot.version) {
      const later = await updateSnapshot(this.log, this.snapshot, version);
      if (later.version !== version) throw new TableNotFoundError(`${this.store.uri} at version ${version} (latest is ${later.version})`);
      return later;
    }
    return loadSnapshot(this.log, version);
  }

  /** The latest version committed at or before `timestampMs` (by commit file time, as the protocol says). */
  async versionAt(timestampMs: number): Promise<number> {
    const commits = (await this.log.list(-1)).filter((f) => f.kind === 'commit');
    let found = -1;
    let last = -Infinity;
    for (const c of commits) {
      // Commit times are made monotonic: a commit is never earlier than the one before it.
      const t = Math.max(c.lastModified.getTime(), last);
      last = t;
      if (t <= timestampMs) found = c.version;
    }
    if (found < 0) throw new TableNotFoundError(`${this.store.uri} at ${new Date(timestampMs).toISOString()} (before the first commit)`);
    return found;
  }

  /** History, newest first. */
  async history(limit?: number): Promise<HistoryEntry[]> {
    const commits = (await this.log.list(-1)).filter((f) => f.kind === 'commit').reverse();
    const selected = limit === undefined ? commits : commits.slice(0, limit);
    const entries: HistoryEntry[] = [];
    for (const c of selected) {
      const actions = await this.log.readCommit(c.version);
      const info = (actions.find((a) => 'commitInfo' in a) as { commitInfo: CommitInfoAction } | undefined)?.commitInfo ?? {};
      entries.push({
        version: c.version,
        timestamp: info.timestamp ?? c.lastModified.getTime(),
        operation: info.operation ?? 'UNKNOWN',
        operationParameters: info.operationParameters ?? {},
        operationMetrics: info.operationMetrics ?? {},
        commitInfo: info,
      });
    }
    return entries;
  }

  /** Stream the rows of a version as Arrow batches in the table schema (partition columns included). */
  async *scan(options: ScanOptions = {}): AsyncIterable<arrow.RecordBatch> {
    const snapshot = await this.snapshotAt(options.version);
    const schema = snapshot.schema;
    const test = options.partitionFilter ? compilePredicate(options.partitionFilter, schema) : undefined;
    const files = [...snapshot.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
    for (const add of files) {
      if (test && !test((c) => add.partitionValues[c] ?? null)) continue;
      yield* await readDataFile(this.store, add, schema, snapshot.partitionColumns, options.columns);
    }
  }

  /** All rows of a version as one Arrow table (small tables and tests). */
  async toArrow(options: ScanOptions = {}): Promise<arrow.Table> {
    const { Table } = await import('apache-arrow');
    const batches: arrow.RecordBatch[] = [];
    for await (const b of this.scan(options)) batches.push(b);
    if (batches.length === 0) {
      const snapshot = await this.snapshotAt(options.version);
      return new Table(snapshot.schema);
    }
    return new Table(batches);
  }
}
