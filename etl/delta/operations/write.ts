/** Append, overwrite (whole table, a partition predicate, or the partitions the data touches), with txn idempotency. */
import type * as arrow from 'apache-arrow';
import { toBatchStream } from '../../arrow/columns.js';
import { UsageError } from '../../errors.js';
import { compilePredicate, predicateColumns, type Predicate } from '../../predicate.js';
import type { Action, RemoveAction } from '../actions.js';
import { SchemaEnforcementError } from '../errors.js';
import { mergeSchemas } from '../../table/conform.js';
import { partitionId } from '../partitions.js';
import { fileKey } from '../read-files.js';
import { toSchemaString } from '../schema.js';
import type { DeltaTable } from '../table.js';
import { writeDataFiles } from '../write-files.js';
import { finishCommit } from './finish-commit.js';

/** What rows to replace when overwriting. */
export type OverwriteScope = 'table' | 'partitions' | Predicate;

/** Options of a write. */
export interface WriteOptions {
  /** `append` (default) or `overwrite`. */
  mode?: 'append' | 'overwrite';
  /** For overwrite: the whole table (default), the partitions the new data touches, or a partition predicate. */
  overwrite?: OverwriteScope;
  /** Idempotency key: a batch whose version is already committed for this appId commits nothing. */
  txn?: { appId: string; version: number };
  /** `merge` adds the batch's new columns (as nullable) to the table; `strict` (default) rejects them. */
  schemaMode?: 'strict' | 'merge';
  /** Extra commitInfo fields (e.g. `{ runId }`). */
  commitInfo?: Record<string, unknown>;
}

/** What a write did. */
export interface WriteMetrics {
  /** Version committed (or found committed for the txn). */
  version: number;
  /** True when the txn version was already committed and nothing was written. */
  skipped: boolean;
  /** Files added. */
  filesAdded: number;
  /** Files removed (overwrite). */
  filesRemoved: number;
  /** Rows written. */
  rowsWritten: number;
  /** Bytes written. */
  bytesWritten: number;
  /** Commit attempts. */
  attempts: number;
}

type Input = arrow.Table | arrow.RecordBatch | Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>;

function alreadyCommitted(table: DeltaTable, txn: WriteOptions['txn']): boolean {
  const seen = txn && table.snapshot.txns.get(txn.appId);
  return Boolean(seen && txn && seen.version >= txn.version);
}

/** Write rows to the table. */
export async function write(table: DeltaTable, input: Input, options: WriteOptions = {}): Promise<WriteMetrics> {
  await table.refresh();
  table.snapshot.assertWritable(table.store.uri);
  const skipped: WriteMetrics = { version: table.version, skipped: true, filesAdded: 0, filesRemoved: 0, rowsWritten: 0, bytesWritten: 0, attempts: 0 };
  if (alreadyCommitted(table, options.txn)) return skipped;
  const snapshot = table.snapshot;
  const partitionColumns = snapshot.partitionColumns;
  const mode = options.mode ?? 'append';

  // Schema evolution: peek at the first batch to learn its columns.
  const stream = toBatchStream(input)[Symbol.asyncIterator]();
  const first = await stream.next();
  let schema = snapshot.schema;
  const actions: Action[] = [];
  if (!first.done && options.schemaMode === 'merge') {
    const merged = mergeSchemas(schema, first.value.schema);
    if (merged.added.length) {
      schema = merged.schema;
      actions.push({ metaData: { ...snapshot.metadata, schemaString: toSchemaString(schema) } });
    }
  }
  const replay = async function* (): AsyncIterable<arrow.RecordBatch> {
    if (!first.done) yield first.value;
    for (let r = await stream.next(); !r.done; r = await stream.next()) yield r.value;
  };

  const touched = new Set<string>();
  const data = await writeDataFiles(table.store, schema, partitionColumns, replay(), { ...table.options.files, clock: table.clock });
  for (const add of data.adds) touched.add(partitionId(partitionColumns, add.partitionValues));

  let removes: RemoveAction[] = [];
  let readPartitions: ((values: Record<string, string | null>) => boolean) | undefined;
  if (mode === 'overwrite') {
    const scope = options.overwrite ?? 'table';
    if (scope === 'table') {
      readPartitions = () => true;
    } else if (scope === 'partitions') {
      readPartitions = (values) => touched.has(partitionId(partitionColumns, values));
    } else {
      for (const column of predicateColumns(scope)) {
        if (!partitionColumns.includes(column)) {
          throw new UsageError(`overwrite predicate may name partition columns only; ${column} is not one`);
        }
      }
      const test = compilePredicate(scope, schema);
      readPartitions = (values) => test((c) => values[c] ?? null);
      const outside = data.adds.find((a) => !readPartitions!(a.partitionValues));
      if (outside) {
        throw new SchemaEnforcementError(
          Object.keys(outside.partitionValues)[0] ?? '',
          `data for partition ${JSON.stringify(outside.partitionValues)} does not match the overwrite predicate`,
        );
      }
    }
    const now = table.clock.now();
    removes = [...snapshot.files.values()]
      .filter((f) => readPartitions!(f.partitionValues))
      .map((f) => ({
        path: f.path,
        deletionTimestamp: now,
        dataChange: true,
        extendedFileMetadata: true,
        partitionValues: f.partitionValues,
        size: f.size,
      }));
  }

  actions.push(...removes.map((remove) => ({ remove })), ...data.adds.map((add) => ({ add })));
  if (options.txn) actions.push({ txn: { appId: options.txn.appId, version: options.txn.version, lastUpdated: table.clock.now() } });
  const result = await finishCommit(table, {
    readVersion: snapshot.version,
    actions,
    operation: 'WRITE',
    operationParameters: {
      mode: mode === 'append' ? 'Append' : 'Overwrite',
      partitionBy: JSON.stringify(partitionColumns),
      ...(mode === 'overwrite' && typeof options.overwrite === 'object' ? { predicate: JSON.stringify(options.overwrite) } : {}),
    },
    operationMetrics: {
      numFiles: data.adds.length,
      numOutputRows: data.rows,
      numOutputBytes: data.bytes,
      numRemovedFiles: removes.length,
    },
    commitInfo: options.commitInfo,
    scope: {
      blindAppend: mode === 'append' && actions.every((a) => !('metaData' in a)),
      readPartitions,
      readFiles: new Set(removes.map((r) => r.path)),
      removedFiles: new Set(removes.map((r) => r.path)),
      txn: options.txn,
    },
  });
  if (result.skipped) {
    // Another attempt of the same batch won: our files are orphans; remove them now (vacuum would later).
    await Promise.all(data.adds.map((a) => table.store.delete(fileKey(a)).catch(() => undefined)));
    return { ...skipped, version: result.version, attempts: result.attempts };
  }
  return {
    version: result.version,
    skipped: false,
    filesAdded: data.adds.length,
    filesRemoved: removes.length,
    rowsWritten: data.rows,
    bytesWritten: data.bytes,
    attempts: result.attempts,
  };
}
