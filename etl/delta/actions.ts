/**
 * Delta log actions (PROTOCOL.md "Actions") and their newline-delimited JSON form.
 * Field names follow the protocol exactly, so the objects serialise as they are.
 */
import { CorruptLogError } from './errors.js';

/** `protocol`: the reader and writer versions (and features, for 3/7) a client needs. */
export interface ProtocolAction {
  /** Minimum reader protocol version. */
  minReaderVersion: number;
  /** Minimum writer protocol version. */
  minWriterVersion: number;
  /** Reader features (reader version 3). */
  readerFeatures?: string[];
  /** Writer features (writer version 7). */
  writerFeatures?: string[];
}

/** `metaData`: schema, partitioning and configuration of the table. */
export interface MetadataAction {
  /** Unique table id (a GUID). */
  id: string;
  /** Optional user-facing name. */
  name?: string | null;
  /** Optional description. */
  description?: string | null;
  /** Storage format; always parquet. */
  format: { provider: string; options: Record<string, string> };
  /** Spark struct type as a JSON string. */
  schemaString: string;
  /** Names of the partition columns, in order. */
  partitionColumns: string[];
  /** Table properties, e.g. `delta.checkpointInterval`. */
  configuration: Record<string, string>;
  /** Creation time in ms since the epoch. */
  createdTime?: number | null;
}

/** `add`: a data file becomes part of the table. */
export interface AddAction {
  /** Relative (URI-encoded) or absolute path of the file. */
  path: string;
  /** Partition column -> serialised value (null for a null partition value). */
  partitionValues: Record<string, string | null>;
  /** File size in bytes. */
  size: number;
  /** File modification time, ms since the epoch. */
  modificationTime: number;
  /** False when the commit only rearranges existing data (optimize). */
  dataChange: boolean;
  /** Statistics JSON string: numRecords, minValues, maxValues, nullCount. */
  stats?: string | null;
  /** Free-form tags. */
  tags?: Record<string, string> | null;
}

/** `remove`: a data file stops being part of the table. */
export interface RemoveAction {
  /** Path as in the matching add. */
  path: string;
  /** When the file was removed, ms since the epoch. */
  deletionTimestamp?: number | null;
  /** False when the commit only rearranges existing data. */
  dataChange: boolean;
  /** True when partitionValues, size and tags are present. */
  extendedFileMetadata?: boolean;
  /** Partition values of the removed file. */
  partitionValues?: Record<string, string | null> | null;
  /** Size of the removed file. */
  size?: number | null;
  /** Tags of the removed file. */
  tags?: Record<string, string> | null;
}

/** `txn`: the latest batch version committed by an application, the idempotency key of writers. */
export interface TxnAction {
  /** Application id. */
  appId: string;
  /** Latest committed version for that application. */
  version: number;
  /** When it was committed, ms since the epoch. */
  lastUpdated?: number | null;
}

/** `commitInfo`: free-form provenance of a commit. */
export interface CommitInfoAction {
  /** Commit time, ms since the epoch. */
  timestamp?: number;
  /** Operation name: WRITE, MERGE, DELETE, OPTIMIZE, CREATE TABLE, ... */
  operation?: string;
  /** Operation parameters (values are strings in Spark's log). */
  operationParameters?: Record<string, unknown>;
  /** Operation metrics. */
  operationMetrics?: Record<string, unknown>;
  /** Version this commit was based on. */
  readVersion?: number;
  /** True when the commit only appended files without reading the table. */
  isBlindAppend?: boolean;
  /** Any other field a writer adds (we add `runId` and `engineInfo`). */
  [key: string]: unknown;
}

/** One line of a commit file. Unknown action kinds are kept in `other` and ignored. */
export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetadataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { txn: TxnAction }
  | { commitInfo: CommitInfoAction }
  | { other: Record<string, unknown> };

const KNOWN = ['protocol', 'metaData', 'add', 'remove', 'txn', 'commitInfo'] as const;

/** Serialise actions as the newline-delimited JSON of a commit file. */
export function serializeActions(actions: Action[]): Uint8Array {
  const lines = actions.map((a) => JSON.stringify('other' in a ? a.other : a));
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

/** Parse a commit file. `where` names the file in error messages. */
export function parseActions(bytes: Uint8Array, where: string): Action[] {
  const text = new TextDecoder().decode(bytes);
  const actions: Action[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch (cause) {
      throw new CorruptLogError(`${where}:${lineNo}: not valid JSON`, { cause });
    }
    const kind = KNOWN.find((k) => k in obj);
    actions.push(kind ? ({ [kind]: obj[kind] } as Action) : { other: obj });
  }
  return actions;
}

/** The version file name of a commit: 20-digit zero-padded version + `.json`. */
export function commitFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}

/** The single-part checkpoint file name of a version. */
export function checkpointFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.checkpoint.parquet`;
}
