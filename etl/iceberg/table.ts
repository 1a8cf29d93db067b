/**
 * An Iceberg table: create or open it through a catalog's metadata pointer, read any snapshot (by id or
 * by time), list its data files and history. Operations that change it live in operations/.
 */
import { randomUUID } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { projectBatch } from '../arrow/columns.js';
import { takeRows } from '../arrow/take.js';
import { systemClock, type Clock } from '../clock.js';
import { CommitConflictError } from '../errors.js';
import { compilePredicate, predicateColumns, type Predicate } from '../predicate.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { CommitOptions } from './commit.js';
import { writeMetadataFile } from './commit.js';
import { CorruptMetadataError, IcebergTableExistsError, IcebergTableNotFoundError, SnapshotNotFoundError } from './errors.js';
import { mightMatch } from './file-filter.js';
import { assertDataOnly, DELETED, decodeManifest, type DataFile, type ManifestEntry } from './manifest.js';
import { decodeManifestList, type ManifestFile } from './manifest-list.js';
import type { MetadataPointer, MetadataPointerStore } from './metadata-pointer.js';
import { buildPartitionSpec, highestPartitionFieldId, type PartitionFieldDefinition, type PartitionSpec, type PartitionValue } from './partition-spec.js';
import { readDataFile } from './read-data-file.js';
import { arrowSchemaOf, highestFieldId, icebergSchemaOf, nameMappingOf, type IcebergSchema, type NameMappingEntry } from './schema.js';
import { TableFiles } from './table-files.js';
import {
  currentSchema,
  currentSnapshot,
  defaultSpec,
  NAME_MAPPING_PROPERTY,
  parseTableMetadata,
  snapshotById,
  specById,
  UNSORTED_ORDER,
  type Snapshot,
  type TableMetadata,
} from './table-metadata.js';
import { committedTxns } from './txn.js';
import type { WriteFilesOptions } from './write-data-files.js';

/** What a new table looks like. */
export interface IcebergTableDefinition {
  /** Columns (top-level primitives); field ids 1..n are assigned in order. */
  schema: arrow.Schema;
  /** Partition fields: a column name (identity) or `{ column, transform: 'day' | ... }`. */
  partitionBy?: PartitionFieldDefinition[];
  /** Columns that identify a row (recorded as the schema's identifier field ids). */
  identifierColumns?: string[];
  /** Table properties. */
  properties?: Record<string, string>;
}

/** Options shared by a table's operations. */
export interface IcebergTableOptions {
  /** Clock for snapshot timestamps and retention (tests inject one). */
  clock?: Clock;
  /** Commit loop options. */
  commit?: CommitOptions;
  /** Parquet writing options. */
  files?: WriteFilesOptions;
}

/** Which snapshot to read: by id, or the one current at a time (ms). Neither: the current snapshot. */
export interface SnapshotSelector {
  /** A snapshot id. */
  snapshotId?: bigint;
  /** The snapshot that was current at this time (by the snapshot log). */
  asOfTimestampMs?: number;
}

/** Options for scanning rows. */
export interface IcebergScanOptions extends SnapshotSelector {
  /** Columns to read (all by default). */
  columns?: string[];
  /** Only rows satisfying this predicate (files are pruned by their metrics first). */
  filter?: Predicate;
}

/** One entry of the table history (the snapshot log), newest first. */
export interface IcebergHistoryEntry {
  /** The snapshot. */
  snapshotId: bigint;
  /** Its parent. */
  parentSnapshotId?: bigint;
  /** Its sequence number. */
  sequenceNumber: number;
  /** When it became current, ms. */
  timestampMs: number;
  /** Summary operation (append, overwrite, delete, replace). */
  operation: string;
  /** The whole summary. */
  summary: Record<string, string>;
}

/** A data file of a snapshot, as a query engine needs it. */
export interface DataFileInfo {
  /** Key relative to the table root (undefined when the file lies outside the table folder). */
  key: string | undefined;
  /** Full URI. */
  uri: string;
  /** Partition values by partition field name. */
  partition: Record<string, PartitionValue>;
  /** Rows. */
  recordCount: number;
  /** Bytes. */
  fileSizeInBytes: number;
  /** Partition spec id. */
  specId: number;
}

const MAX_CACHED = 4096;

/** A handle on one Iceberg table. */
export class IcebergTable {
  /** The table's files (root store, URI mapping). */
  readonly files: TableFiles;
  /** The metadata last loaded. */
  metadata: TableMetadata;
  /** The catalog pointer that metadata came from. */
  pointer: MetadataPointer;
  private readonly lists = new Map<string, ManifestFile[]>();
  private readonly manifests = new Map<string, ManifestEntry[]>();

  private constructor(
    /** Store rooted at the table folder. */
    readonly store: ObjectStore,
    /** The catalog's pointer register. */
    readonly pointers: MetadataPointerStore,
    /** Catalog identifier, `database.name`. */
    readonly identifier: string,
    metadata: TableMetadata,
    pointer: MetadataPointer,
    /** Options used by operations. */
    readonly options: IcebergTableOptions,
  ) {
    this.files = new TableFiles(store);
    this.metadata = metadata;
    this.pointer = pointer;
  }

  /** The clock of this table. */
  get clock(): Clock {
    return this.options.clock ?? systemClock;
  }

  /** URI of the current metadata file. */
  get metadataLocation(): string {
    return this.pointer.metadataLocation;
  }

  /** The current Iceberg schema. */
  get icebergSchema(): IcebergSchema {
    return currentSchema(this.metadata);
  }

  /** The current schema as Arrow (field ids as `PARQUET:field_id` metadata). */
  get schema(): arrow.Schema {
    return arrowSchemaOf(this.icebergSchema);
  }

  /** The partition spec new data is written with. */
  get spec(): PartitionSpec {
    return defaultSpec(this.metadata);
  }

  /** The current snapshot (undefined for a table without data yet). */
  get currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.metadata);
  }

  /** The name mapping of the table (for files without field ids). */
  get nameMapping(): NameMappingEntry[] | undefined {
    const raw = this.metadata.properties[NAME_MAPPING_PROPERTY];
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as NameMappingEntry[];
    } catch {
      return undefined;
    }
  }

  /** True when the catalog has a pointer for `identifier`. */
  static async exists(pointers: MetadataPointerStore, identifier: string): Promise<boolean> {
    return (await pointers.current(identifier)) !== undefined;
  }

  /** Open the table the catalog points at. Throws IcebergTableNotFoundError when it has no pointer. */
  static async open(store: ObjectStore, pointers: MetadataPointerStore, identifier: string, options: IcebergTableOptions = {}): Promise<IcebergTable> {
    const pointer = await pointers.current(identifier);
    if (!pointer) throw new IcebergTableNotFoundError(identifier);
    const files = new TableFiles(store);
    const metadata = await readMetadata(files, pointer.metadataLocation);
    return new IcebergTable(store, pointers, identifier, metadata, pointer, options);
  }

  /**
   * Create a table rooted at `store` and register it: writes `metadata/00000-<uuid>.metadata.json`
   * (no snapshot yet) and swaps the catalog pointer from nothing. Throws IcebergTableExistsError when
   * the catalog already has the table (also when another process created it first).
   */
  static async create(
    store: ObjectStore,
    pointers: MetadataPointerStore,
    identifier: string,
    definition: IcebergTableDefinition,
    options: IcebergTableOptions = {},
  ): Promise<IcebergTable> {
    if (await pointers.current(identifier)) throw new IcebergTableExistsError(identifier);
    const files = new TableFiles(store);
    const schema = icebergSchemaOf(definition.schema, 0, definition.identifierColumns ?? []);
    const spec = buildPartitionSpec(schema, definition.partitionBy ?? []);
    const now = (options.clock ?? systemClock).now();
    const metadata: TableMetadata = {
      'format-version': 2,
      'table-uuid': randomUUID(),
      location: files.root,
      'last-sequence-number': 0,
      'last-updated-ms': now,
      'last-column-id': highestFieldId(schema),
      schemas: [schema],
      'current-schema-id': 0,
      'partition-specs': [spec],
      'default-spec-id': 0,
      'last-partition-id': highestPartitionFieldId([spec]),
      properties: {
        'write.format.default': 'parquet',
        'write.parquet.compression-codec': 'zstd',
        ...definition.properties,
        [NAME_MAPPING_PROPERTY]: JSON.stringify(nameMappingOf(schema)),
      },
      'current-snapshot-id': null,
      snapshots: [],
      'snapshot-log': [],
      'metadata-log': [],
      'sort-orders': [UNSORTED_ORDER],
      'default-sort-order-id': 0,
      refs: {},
    };
    const draft = new IcebergTable(store, pointers, identifier, metadata, { metadataLocation: '', token: '' }, options);
    const location = await writeMetadataFile(draft, metadata, undefined);
    try {
      draft.pointer = await pointers.swap(identifier, undefined, location);
    } catch (err) {
      await files.delete(location).catch(() => undefined);
      if (err instanceof CommitConflictError) throw new IcebergTableExistsError(identifier);
      throw err;
    }
    return draft;
  }

  /** Open the table, creating it from `definition` when absent (safe when several processes race). */
  static async openOrCreate(
    store: ObjectStore,
    pointers: MetadataPointerStore,
    identifier: string,
    definition: IcebergTableDefinition,
    options: IcebergTableOptions = {},
  ): Promise<IcebergTable> {
    try {
      return await IcebergTable.open(store, pointers, identifier, options);
    } catch (err) {
      if (!(err instanceof IcebergTableNotFoundError)) throw err;
    }
    try {
      return await IcebergTable.create(store, pointers, identifier, definition, options);
    } catch (err) {
      if (err instanceof IcebergTableExistsError) return IcebergTable.open(store, pointers, identifier, options);
      throw err;
    }
  }

  /** Load the metadata the catalog points at now; returns it. */
  async refresh(): Promise<TableMetadata> {
    const pointer = await this.pointers.current(this.identifier);
    if (!pointer) throw new IcebergTableNotFoundError(this.identifier, 'it was dropped from the catalog');
    if (pointer.metadataLocation !== this.pointer.metadataLocation) {
      const metadata = await readMetadata(this.files, pointer.metadataLocation);
      if (metadata['table-uuid'] !== this.metadata['table-uuid']) {
        throw new CorruptMetadataError(`${this.identifier}: table uuid changed from ${this.metadata['table-uuid']} to ${metadata['table-uuid']}`);
      }
      this.metadata = metadata;
    }
    this.pointer = pointer;
    return this.metadata;
  }

  /** Take `metadata` (just committed under `pointer`) as the current state. Used by the commit loop. */
  adopt(metadata: TableMetadata, pointer: MetadataPointer): void {
    this.metadata = metadata;
    this.pointer = pointer;
  }

  /** The snapshot a selector names (the current one when empty; undefined for an empty table). */
  snapshotAt(selector: SnapshotSelector = {}): Snapshot | undefined {
    if (selector.snapshotId !== undefined) {
      const s = snapshotById(this.metadata, selector.snapshotId);
      if (!s) throw new SnapshotNotFoundError(`${this.identifier} has no snapshot ${selector.snapshotId}`);
      return s;
    }
    if (selector.asOfTimestampMs !== undefined) {
      let found: bigint | undefined;
      for (const entry of this.metadata['snapshot-log']) if (entry['timestamp-ms'] <= selector.asOfTimestampMs) found = entry['snapshot-id'];
      if (found === undefined) {
        throw new SnapshotNotFoundError(`${this.identifier} has no snapshot at or before ${new Date(selector.asOfTimestampMs).toISOString()}`);
      }
      return this.snapshotAt({ snapshotId: found });
    }
    return this.currentSnapshot;
  }

  /** The history of the current snapshot (the snapshot log), newest first. */
  history(limit?: number): IcebergHistoryEntry[] {
    const entries = [...this.metadata['snapshot-log']].reverse().flatMap((entry) => {
      const s = snapshotById(this.metadata, entry['snapshot-id']);
      if (!s) return [];
      return [
        {
          snapshotId: s['snapshot-id'],
          ...(s['parent-snapshot-id'] !== undefined ? { parentSnapshotId: s['parent-snapshot-id'] } : {}),
          sequenceNumber: s['sequence-number'],
          timestampMs: entry['timestamp-ms'],
          operation: s.summary.operation,
          summary: { ...s.summary },
        },
      ];
    });
    return limit === undefined ? entries : entries.slice(0, limit);
  }

  /** True when batch `version` of `appId` (or a later one) is committed, per the current snapshot. */
  alreadyCommitted(appId: string, version: number): boolean {
    const seen = committedTxns(this.metadata).get(appId);
    return seen !== undefined && seen >= version;
  }

  /** The manifests of a snapshot (cached: manifest lists never change). */
  async manifestList(snapshot: Snapshot): Promise<ManifestFile[]> {
    const path = snapshot['manifest-list'];
    let list = this.lists.get(path);
    if (!list) {
      list = decodeManifestList(await this.files.read(path), path);
      if (this.lists.size >= MAX_CACHED) this.lists.clear();
      this.lists.set(path, list);
    }
    return list;
  }

  /** The entries of a manifest, inheritance applied (cached: manifests never change). */
  async manifestEntries(manifest: ManifestFile): Promise<ManifestEntry[]> {
    const cacheKey = `${manifest.manifestPath}\u0000${manifest.sequenceNumber}\u0000${manifest.addedSnapshotId}`;
    let entries = this.manifests.get(cacheKey);
    if (!entries) {
      const bytes = await this.files.read(manifest.manifestPath);
      entries = decodeManifest(bytes, manifest, specById(this.metadata, manifest.partitionSpecId));
      if (this.manifests.size >= MAX_CACHED) this.manifests.clear();
      this.manifests.set(cacheKey, entries);
    }
    return entries;
  }

  /** The live entries (ADDED or EXISTING data files) of a snapshot. Throws for tables with delete files. */
  async liveEntries(snapshot: Snapshot | undefined = this.currentSnapshot): Promise<ManifestEntry[]> {
    if (!snapshot) return [];
    const out: ManifestEntry[] = [];
    for (const m of await this.manifestList(snapshot)) {
      const entries = (await this.manifestEntries(m)).filter((e) => e.status !== DELETED);
      assertDataOnly(entries, m.manifestPath);
      out.push(...entries);
    }
    return out;
  }

  /** The data files of a snapshot (the current one by default), for a query engine. */
  async dataFiles(snapshot: Snapshot | undefined = this.currentSnapshot): Promise<DataFileInfo[]> {
    return (await this.liveEntries(snapshot)).map(({ dataFile: f }) => {
      const spec = specById(this.metadata, f.specId);
      const partition: Record<string, PartitionValue> = {};
      spec.fields.forEach((field, i) => (partition[field.name] = f.partition[i] ?? null));
      return { key: this.files.keyOf(f.filePath), uri: f.filePath, partition, recordCount: f.recordCount, fileSizeInBytes: f.fileSizeInBytes, specId: f.specId };
    });
  }

  /** The schema a snapshot was written with (the current one when it does not say). */
  schemaOf(snapshot: Snapshot | undefined): IcebergSchema {
    const id = snapshot?.['schema-id'];
    return this.metadata.schemas.find((s) => s['schema-id'] === id) ?? this.icebergSchema;
  }

  /** Stream the rows of a snapshot as Arrow batches in the table schema (or the selected columns). */
  async *scan(options: IcebergScanOptions = {}): AsyncIterable<arrow.RecordBatch> {
    const snapshot = this.snapshotAt(options);
    const schema = this.schemaOf(snapshot);
    const full = arrowSchemaOf(schema);
    const filterColumns = options.filter ? [...predicateColumns(options.filter)] : [];
    const wanted = options.columns
      ? new arrow.Schema(full.fields.filter((f) => options.columns!.includes(f.name) || filterColumns.includes(f.name)))
      : full;
    const output = options.columns ? new arrow.Schema(full.fields.filter((f) => options.columns!.includes(f.name))) : full;
    const test = options.filter ? compilePredicate(options.filter, full) : undefined;
    const entries = (await this.liveEntries(snapshot)).sort((a, b) => (a.dataFile.filePath < b.dataFile.filePath ? -1 : 1));
    for (const { dataFile } of entries) {
      if (options.filter && !mightMatch(options.filter, dataFile, schema)) continue;
      for (const batch of await readDataFile(this.files, dataFile, wanted, this.nameMapping)) {
        yield projectBatch(test ? filterRows(batch, test, wanted) : batch, output);
      }
    }
  }

  /** All rows of a snapshot as one Arrow table (small tables and tests). */
  async toArrow(options: IcebergScanOptions = {}): Promise<arrow.Table> {
    const batches: arrow.RecordBatch[] = [];
    for await (const b of this.scan(options)) if (b.numRows > 0) batches.push(b);
    if (batches.length === 0) {
      const full = arrowSchemaOf(this.schemaOf(this.snapshotAt(options)));
      return new arrow.Table(options.columns ? new arrow.Schema(full.fields.filter((f) => options.columns!.includes(f.name))) : full);
    }
    return new arrow.Table(batches);
  }

  /** The live data files of a snapshot (plain DataFile records). */
  async liveFiles(snapshot: Snapshot | undefined = this.currentSnapshot): Promise<DataFile[]> {
    return (await this.liveEntries(snapshot)).map((e) => e.dataFile);
  }
}

/** The rows of `batch` satisfying `test`. */
function filterRows(batch: arrow.RecordBatch, test: (get: (c: string) => unknown) => boolean, schema: arrow.Schema): arrow.RecordBatch {
  const vectors = new Map(schema.fields.map((f) => [f.name, batch.getChild(f.name)!]));
  const rows: number[] = [];
  for (let i = 0; i < batch.numRows; i++) if (test((c) => vectors.get(c)?.get(i) ?? null)) rows.push(i);
  return rows.length === batch.numRows ? batch : takeRows(batch, Uint32Array.from(rows));
}

/** Read and parse a metadata file by URI. */
async function readMetadata(files: TableFiles, location: string): Promise<TableMetadata> {
  const bytes = await files.read(location);
  return parseTableMetadata(new TextDecoder().decode(bytes), location);
}
