/**
 * What the runner needs from a table, the same for Delta and Iceberg: open or create it, the latest
 * batch committed for an app id (the ingest ledger's idempotency key), merge or append a batch with that
 * key, scan columns, count rows.
 */
import type * as arrow from 'apache-arrow';
import type { Catalog } from '../../catalog/catalog.js';
import * as delta from '../../etl/delta/index.js';
import * as iceberg from '../../etl/iceberg/index.js';
import { committedTxns } from '../../etl/iceberg/txn.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';

/** Table formats the runner writes. */
export type Format = 'delta' | 'iceberg';

/** A batch's idempotency key. */
export interface BatchKey {
  /** Application id: `<pipeline>:<dataset>` (and `:rejected` for its quarantine rows). */
  appId: string;
  /** Ledger batch number. */
  version: number;
}

/** The outcome of writing one batch. */
export interface SinkWrite {
  /** Table version after the write (Delta version; Iceberg sequence number). */
  version: number;
  /** True when the batch was already committed (nothing written). */
  skipped: boolean;
  /** Files added. */
  filesAdded: number;
}

/** Options of one sink write. */
export interface SinkWriteOptions {
  /** No two rows of the write share a key (they were deduplicated on it). */
  sourceUnique?: boolean;
}

/** One table as the runner sees it. */
export interface TableSink {
  /** The table format. */
  readonly format: Format;
  /** URI of the table root. */
  readonly location: string;
  /** The table schema. */
  readonly schema: arrow.Schema;
  /** Partition columns. */
  readonly partitionColumns: string[];
  /** The latest batch version committed for `appId`, or -1. Reads the current table state. */
  committedBatch(appId: string): Promise<number>;
  /**
   * Upsert by `keys` (append when `keys` is empty), committing `batch` as the idempotency key. With
   * `sourceUnique` the caller guarantees no two rows share a key (validated rows), which lets the merge
   * keep a smaller key index and (Iceberg) write the rows as they stream instead of holding them.
   */
  write(rows: AsyncIterable<arrow.RecordBatch>, keys: readonly string[], batch: BatchKey, runId: string, options?: SinkWriteOptions): Promise<SinkWrite>;
  /** Stream the given columns of the current version. */
  scan(columns: string[]): AsyncIterable<arrow.RecordBatch>;
  /** Rows in the current version, from the table's own metadata (no data read). */
  rowCount(): Promise<number>;
  /** The current version (Delta version, Iceberg sequence number). */
  currentVersion(): Promise<number>;
}

/** Where and how to open a table. */
export interface SinkTarget {
  /** Format. */
  format: Format;
  /** The warehouse store (root of `processed/`). */
  warehouse: ObjectStore;
  /** The catalog (the Iceberg pointer store; Delta tables are registered by the runner). */
  catalog: Catalog;
  /** Database name. */
  database: string;
  /** Table name. */
  table: string;
  /** Schema for a new table. */
  schema: arrow.Schema;
  /** Partition columns for a new table. */
  partitionBy: readonly string[];
}

class DeltaSink implements TableSink {
  readonly format = 'delta' as const;
  constructor(private readonly table: delta.DeltaTable) {}
  get location(): string {
    return this.table.store.uri;
  }
  get schema(): arrow.Schema {
    return this.table.schema;
  }
  get partitionColumns(): string[] {
    return this.table.snapshot.partitionColumns;
  }
  async committedBatch(appId: string): Promise<number> {
    await this.table.refresh();
    return this.table.snapshot.txns.get(appId)?.version ?? -1;
  }
  async write(rows: AsyncIterable<arrow.RecordBatch>, keys: readonly string[], batch: BatchKey, runId: string, options: SinkWriteOptions = {}): Promise<SinkWrite> {
    const commitInfo = { runId };
    const m = keys.length
      ? await delta.merge(this.table, rows, { keys: [...keys], txn: batch, commitInfo, ...(options.sourceUnique ? { sourceUnique: true } : {}) })
      : await delta.write(this.table, rows, { txn: batch, commitInfo });
    return { version: m.version, skipped: m.skipped, filesAdded: m.filesAdded };
  }
  scan(columns: string[]): AsyncIterable<arrow.RecordBatch> {
    return this.table.scan({ columns });
  }
  async currentVersion(): Promise<number> {
    await this.table.refresh();
    return this.table.version;
  }
  async rowCount(): Promise<number> {
    await this.table.refresh();
    let n = 0;
    for (const add of this.table.snapshot.files.values()) n += (JSON.parse(add.stats ?? '{}') as { numRecords?: number }).numRecords ?? 0;
    return n;
  }
}

class IcebergSink implements TableSink {
  readonly format = 'iceberg' as const;
  constructor(private readonly table: iceberg.IcebergTable) {}
  get location(): string {
    return this.table.store.uri;
  }
  get schema(): arrow.Schema {
    return this.table.schema;
  }
  get partitionColumns(): string[] {
    return this.table.spec.fields.map((f) => this.table.icebergSchema.fields.find((s) => s.id === f['source-id'])!.name);
  }
  async committedBatch(appId: string): Promise<number> {
    await this.table.refresh();
    return committedTxns(this.table.metadata).get(appId) ?? -1;
  }
  async write(rows: AsyncIterable<arrow.RecordBatch>, keys: readonly string[], batch: BatchKey, runId: string, options: SinkWriteOptions = {}): Promise<SinkWrite> {
    const summary = { 'lakehouse.run-id': runId };
    const m = keys.length
      ? await iceberg.merge(this.table, rows, { keys: [...keys], txn: batch, summary, ...(options.sourceUnique ? { sourceUnique: true } : {}) })
      : await iceberg.write(this.table, rows, { txn: batch, summary });
    return { version: m.version, skipped: m.skipped, filesAdded: m.filesAdded };
  }
  scan(columns: string[]): AsyncIterable<arrow.RecordBatch> {
    return this.table.scan({ columns });
  }
  async currentVersion(): Promise<number> {
    await this.table.refresh();
    return this.table.metadata['last-sequence-number'];
  }
  async rowCount(): Promise<number> {
    await this.table.refresh();
    return Number(this.table.currentSnapshot?.summary['total-records'] ?? 0);
  }
}

/** The folder of a table inside the warehouse. */
export function tableKey(database: string, table: string): string {
  return `processed/${database}/${table}`;
}

/** Open the table when it exists (undefined otherwise); never creates it. */
export async function openExistingSink(target: Omit<SinkTarget, 'schema' | 'partitionBy'>): Promise<TableSink | undefined> {
  const store = new PrefixedStore(target.warehouse, tableKey(target.database, target.table));
  if (target.format === 'delta') return (await delta.DeltaTable.exists(store)) ? new DeltaSink(await delta.DeltaTable.open(store)) : undefined;
  const identifier = `${target.database}.${target.table}`;
  // A missing database is a NotFoundError from the catalog: no table either.
  if (!(await iceberg.IcebergTable.exists(target.catalog, identifier).catch(() => false))) return undefined;
  return new IcebergSink(await iceberg.IcebergTable.open(store, target.catalog, identifier));
}

/** Open the table, creating it when absent. */
export async function openSink(target: SinkTarget): Promise<TableSink> {
  const store = new PrefixedStore(target.warehouse, tableKey(target.database, target.table));
  if (target.format === 'delta') {
    const table = await delta.DeltaTable.openOrCreate(store, { schema: target.schema, partitionColumns: [...target.partitionBy] });
    return new DeltaSink(table);
  }
  const table = await iceberg.IcebergTable.openOrCreate(store, target.catalog, `${target.database}.${target.table}`, {
    schema: target.schema,
    partitionBy: [...target.partitionBy],
  });
  return new IcebergSink(table);
}
