/**
 * Parquet checkpoints (PROTOCOL.md "Checkpoints"): the state of a version as one action per row, in
 * struct columns txn, add, remove, metaData, protocol.
 */
import * as arrow from 'apache-arrow';
import { encodeParquet } from '../parquet/writer.js';
import { readParquetTable } from '../parquet/reader.js';
import type { Action } from './actions.js';

const utf8 = (name: string, nullable = true) => new arrow.Field(name, new arrow.Utf8(), nullable);
const int64 = (name: string) => new arrow.Field(name, new arrow.Int64(), true);
const bool = (name: string) => new arrow.Field(name, new arrow.Bool(), true);
const stringMap = (name: string) =>
  new arrow.Field(
    name,
    new arrow.Map_(new arrow.Field('key_value', new arrow.Struct([utf8('key', false), utf8('value')]), false) as arrow.Field<never>),
    true,
  );
const stringList = (name: string) => new arrow.Field(name, new arrow.List(utf8('element')), true);
const struct = (name: string, fields: arrow.Field[]) => new arrow.Field(name, new arrow.Struct(fields), true);

/** The Arrow schema of a checkpoint file. */
export const CHECKPOINT_SCHEMA = new arrow.Schema([
  struct('txn', [utf8('appId'), int64('version'), int64('lastUpdated')]),
  struct('add', [
    utf8('path'),
    stringMap('partitionValues'),
    int64('size'),
    int64('modificationTime'),
    bool('dataChange'),
    utf8('stats'),
    stringMap('tags'),
  ]),
  struct('remove', [
    utf8('path'),
    int64('deletionTimestamp'),
    bool('dataChange'),
    bool('extendedFileMetadata'),
    stringMap('partitionValues'),
    int64('size'),
    stringMap('tags'),
  ]),
  struct('metaData', [
    utf8('id'),
    utf8('name'),
    utf8('description'),
    struct('format', [utf8('provider'), stringMap('options')]),
    utf8('schemaString'),
    stringList('partitionColumns'),
    stringMap('configuration'),
    int64('createdTime'),
  ]),
  struct('protocol', [
    new arrow.Field('minReaderVersion', new arrow.Int32(), true),
    new arrow.Field('minWriterVersion', new arrow.Int32(), true),
    stringList('readerFeatures'),
    stringList('writerFeatures'),
  ]),
]);

const toMap = (obj: Record<string, string | null> | null | undefined) => (obj ? new Map(Object.entries(obj)) : null);
const big = (n: number | null | undefined) => (n === null || n === undefined ? null : BigInt(n));

/** Encode checkpoint actions (protocol, metaData, txn, add, remove) as a Parquet file. */
export function encodeCheckpoint(actions: Action[]): Uint8Array {
  const columns = CHECKPOINT_SCHEMA.fields.map((f) => arrow.makeBuilder({ type: f.type, nullValues: [null, undefined] }));
  const [txn, add, remove, metaData, protocol] = columns as [arrow.Builder, arrow.Builder, arrow.Builder, arrow.Builder, arrow.Builder];
  for (const action of actions) {
    const row: [unknown, unknown, unknown, unknown, unknown] = [null, null, null, null, null];
    if ('txn' in action) {
      row[0] = { appId: action.txn.appId, version: big(action.txn.version), lastUpdated: big(action.txn.lastUpdated) };
    } else if ('add' in action) {
      const a = action.add;
      row[1] = {
        path: a.path,
        partitionValues: toMap(a.partitionValues) ?? new Map(),
        size: big(a.size),
        modificationTime: big(a.modificationTime),
        dataChange: false,
        stats: a.stats ?? null,
        tags: toMap(a.tags),
      };
    } else if ('remove' in action) {
      const r = action.remove;
      row[2] = {
        path: r.path,
        deletionTimestamp: big(r.deletionTimestamp),
        dataChange: false,
        extendedFileMetadata: r.extendedFileMetadata ?? false,
        partitionValues: toMap(r.partitionValues),
        size: big(r.size),
        tags: toMap(r.tags),
      };
    } else if ('metaData' in action) {
      const m = action.metaData;
      row[3] = {
        id: m.id,
        name: m.name ?? null,
        description: m.description ?? null,
        format: { provider: m.format.provider, options: toMap(m.format.options) ?? new Map() },
        schemaString: m.schemaString,
        partitionColumns: m.partitionColumns,
        configuration: toMap(m.configuration) ?? new Map(),
        createdTime: big(m.createdTime),
      };
    } else if ('protocol' in action) {
      const p = action.protocol;
      row[4] = {
        minReaderVersion: p.minReaderVersion,
        minWriterVersion: p.minWriterVersion,
        readerFeatures: p.readerFeatures ?? null,
        writerFeatures: p.writerFeatures ?? null,
      };
    } else {
      continue;
    }
    txn.append(row[0]);
    add.append(row[1]);
    remove.append(row[2]);
    metaData.append(row[3]);
    protocol.append(row[4]);
  }
  const vectors = Object.fromEntries(CHECKPOINT_SCHEMA.fields.map((f, i) => [f.name, columns[i]!.finish().toVector()]));
  const table = new arrow.Table(CHECKPOINT_SCHEMA, new arrow.Table(vectors).batches);
  return encodeParquet(table, { codec: 'snappy' });
}

/** Arrow JS values (StructRow, MapRow, Vector, bigint) as plain JSON-like values. */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof arrow.Vector) return [...value].map(toPlain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, toPlain(v)]));
  if (typeof value === 'object') {
    const maybe = value as { toJSON?: () => unknown; [Symbol.iterator]?: unknown };
    if (typeof maybe.toJSON === 'function' && !(value instanceof Date)) {
      const json = maybe.toJSON();
      if (json instanceof Map) return toPlain(json);
      if (Array.isArray(json)) return json.map(toPlain);
      if (json && typeof json === 'object') {
        return Object.fromEntries(Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, toPlain(v)]));
      }
      return json;
    }
  }
  return value;
}

/** Decode the actions of a checkpoint file (written by us, Spark or delta-rs). */
export function decodeCheckpoint(bytes: Uint8Array): Action[] {
  const table = readParquetTable(bytes);
  const names = ['protocol', 'metaData', 'txn', 'add', 'remove'] as const;
  const columns = names.map((n) => [n, table.getChild(n)] as const).filter(([, v]) => v !== null);
  const actions: Action[] = [];
  for (let i = 0; i < table.numRows; i++) {
    for (const [name, vector] of columns) {
      const value = vector!.get(i);
      if (value === null || value === undefined) continue;
      const plain = toPlain(value) as Record<string, unknown>;
      if (name === 'add' || name === 'remove') {
        if (plain.path === null) continue;
        if (plain.partitionValues === null) plain.partitionValues = {};
      }
      if (name === 'txn' && plain.appId === null) continue;
      actions.push({ [name]: stripNulls(plain) } as Action);
    }
  }
  return actions;
}

function stripNulls(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null && k !== 'partitionValues') continue;
    out[k] = v;
  }
  return out;
}
