/** A table version reconstructed by log replay from the latest checkpoint. */
import type * as arrow from 'apache-arrow';
import type { Action, AddAction, MetadataAction, ProtocolAction, RemoveAction, TxnAction } from './actions.js';
import { decodeCheckpoint } from './checkpoint.js';
import { CorruptLogError, TableNotFoundError, UnsupportedProtocolError } from './errors.js';
import type { LogFile, LogStore } from './log-store.js';
import { fromSchemaString } from './schema.js';

/** Reader features we implement (protocol 3). */
const READER_FEATURES = new Set(['timestampNtz']);
/** Writer features we honour (protocol 7). */
const WRITER_FEATURES = new Set(['timestampNtz', 'appendOnly', 'invariants']);

/** The state of a table at one version. */
export class Snapshot {
  /** The version. */
  version = -1;
  /** Protocol in force. */
  protocol!: ProtocolAction;
  /** Metadata in force. */
  metadata!: MetadataAction;
  /** Active files by `add.path`. */
  readonly files = new Map<string, AddAction>();
  /** Removed files (tombstones) by path, kept for vacuum and checkpoints. */
  readonly tombstones = new Map<string, RemoveAction>();
  /** Latest txn per appId. */
  readonly txns = new Map<string, TxnAction>();

  /** The table schema as Arrow. */
  get schema(): arrow.Schema {
    return fromSchemaString(this.metadata.schemaString);
  }

  /** The partition columns. */
  get partitionColumns(): string[] {
    return this.metadata.partitionColumns;
  }

  /** Table property with a default. */
  property(name: string, fallback: string): string {
    return this.metadata.configuration[name] ?? fallback;
  }

  /** Apply one version's actions in order. */
  apply(actions: Action[], version: number): void {
    for (const action of actions) {
      if ('add' in action) {
        this.files.set(action.add.path, action.add);
        this.tombstones.delete(action.add.path);
      } else if ('remove' in action) {
        this.files.delete(action.remove.path);
        this.tombstones.set(action.remove.path, action.remove);
      } else if ('txn' in action) {
        this.txns.set(action.txn.appId, action.txn);
      } else if ('metaData' in action) {
        this.metadata = action.metaData;
      } else if ('protocol' in action) {
        this.protocol = action.protocol;
      }
    }
    this.version = version;
  }

  /** A copy that can be advanced without changing this one. */
  clone(): Snapshot {
    const copy = new Snapshot();
    copy.version = this.version;
    copy.protocol = this.protocol;
    copy.metadata = this.metadata;
    for (const [k, v] of this.files) copy.files.set(k, v);
    for (const [k, v] of this.tombstones) copy.tombstones.set(k, v);
    for (const [k, v] of this.txns) copy.txns.set(k, v);
    return copy;
  }

  /** Throw unless we can read this table. */
  assertReadable(where: string): void {
    const p = this.protocol;
    if (!p || !this.metadata) throw new CorruptLogError(`${where}: version ${this.version} has no protocol or metaData`);
    if (p.minReaderVersion > 3) throw new UnsupportedProtocolError(`${where}: reader version ${p.minReaderVersion} is not supported`);
    if (p.minReaderVersion === 2 || (p.readerFeatures ?? []).includes('columnMapping')) {
      const mode = this.metadata.configuration['delta.columnMapping.mode'] ?? 'none';
      if (mode !== 'none') throw new UnsupportedProtocolError(`${where}: column mapping (${mode}) is not supported`);
    }
    const missing = (p.readerFeatures ?? []).filter((f) => !READER_FEATURES.has(f) && f !== 'columnMapping');
    if (missing.length) throw new UnsupportedProtocolError(`${where}: reader features not supported: ${missing.join(', ')}`);
  }

  /** Throw unless we can write this table. */
  assertWritable(where: string): void {
    this.assertReadable(where);
    const p = this.protocol;
    if (p.minWriterVersion > 7) throw new UnsupportedProtocolError(`${where}: writer version ${p.minWriterVersion} is not supported`);
    if (p.minWriterVersion >= 3 && p.minWriterVersion < 7) {
      throw new UnsupportedProtocolError(`${where}: writer version ${p.minWriterVersion} (constraints, generated columns) is not supported`);
    }
    const missing = (p.writerFeatures ?? []).filter((f) => !WRITER_FEATURES.has(f));
    if (missing.length) throw new UnsupportedProtocolError(`${where}: writer features not supported: ${missing.join(', ')}`);
  }
}

/** Pick the newest usable checkpoint at or below `target` from a listing (complete multi-part sets only). */
function pickCheckpoint(files: LogFile[], target: number): LogFile[] | undefined {
  const byVersion = new Map<number, LogFile[]>();
  for (const f of files) {
    if (f.kind !== 'checkpoint' || f.version > target) continue;
    byVersion.set(f.version, [...(byVersion.get(f.version) ?? []), f]);
  }
  const versions = [...byVersion.keys()].sort((a, b) => b - a);
  for (const v of versions) {
    const parts = byVersion.get(v)!;
    const single = parts.find((p) => !p.part);
    if (single) return [single];
    const count = parts[0]!.part!.count;
    const complete = parts.filter((p) => p.part!.count === count);
    if (complete.length === count) return complete.sort((a, b) => a.part!.index - b.part!.index);
  }
  return undefined;
}

/** Load the snapshot at `version` (latest when undefined). */
export async function loadSnapshot(log: LogStore, version?: number): Promise<Snapshot> {
  const where = log.store.uri;
  const hint = await log.readLastCheckpoint();
  const useHint = hint !== undefined && (version === undefined || hint.version <= version);
  let listing = await log.list(useHint ? hint.version - 1 : -1);
  let checkpoint = pickCheckpoint(listing, version ?? Number.MAX_SAFE_INTEGER);
  if (useHint && !checkpoint) {
    // The hint pointed at a checkpoint that is not there: fall back to the whole log.
    listing = await log.list(-1);
    checkpoint = pickCheckpoint(listing, version ?? Number.MAX_SAFE_INTEGER);
  }
  const snapshot = new Snapshot();
  let start = 0;
  if (checkpoint) {
    const actions: Action[] = [];
    for (const part of checkpoint) actions.push(...decodeCheckpoint(await log.store.get(part.key)));
    snapshot.apply(actions, checkpoint[0]!.version);
    start = checkpoint[0]!.version + 1;
  }
  const commits = listing.filter((f) => f.kind === 'commit' && f.version >= start && (version === undefined || f.version <= version));
  if (!checkpoint && commits.length === 0) throw new TableNotFoundError(where);
  let expected = start;
  for (const commit of commits) {
    if (commit.version !== expected) {
      throw new CorruptLogError(`${where}: commit ${expected} is missing (next found is ${commit.version})`);
    }
    snapshot.apply(await log.readCommit(commit.version), commit.version);
    expected++;
  }
  if (version !== undefined && snapshot.version !== version) {
    throw new CorruptLogError(`${where}: version ${version} does not exist (latest is ${snapshot.version})`);
  }
  snapshot.assertReadable(where);
  return snapshot;
}

/** Advance a snapshot to the latest version (or `version`), returning a new snapshot. */
export async function updateSnapshot(log: LogStore, base: Snapshot, version?: number): Promise<Snapshot> {
  const newer = (await log.list(base.version)).filter((f) => f.kind === 'commit' && (version === undefined || f.version <= version));
  if (newer.length === 0) return base;
  const next = base.clone();
  let expected = base.version + 1;
  for (const commit of newer) {
    if (commit.version !== expected) throw new CorruptLogError(`${log.store.uri}: commit ${expected} is missing`);
    next.apply(await log.readCommit(commit.version), commit.version);
    expected++;
  }
  next.assertReadable(log.store.uri);
  return next;
}
