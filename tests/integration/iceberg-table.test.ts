/**
 * Iceberg table behaviour on every store: metadata per the v2 spec, manifests and manifest lists (the
 * Avro we wrote, decoded), bounds encoding, Parquet field ids, append / overwrite / merge / delete /
 * compaction / snapshot expiry / orphan removal with asserted rows and summaries, txn idempotency, time
 * travel, and commit races (a lost append re-applied; a real conflict is a typed error).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import * as arrow from 'apache-arrow';
import { fixedClock } from '../../etl/clock.js';
import { decodeAvroFile } from '../../etl/iceberg/avro-file.js';
import {
  deleteWhere,
  expireSnapshots,
  IcebergTable,
  IcebergTableExistsError,
  IcebergTableNotFoundError,
  merge,
  optimize,
  removeOrphanFiles,
  SnapshotNotFoundError,
  write,
  type IcebergTableOptions,
} from '../../etl/iceberg/index.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { ConcurrentModificationError, SchemaEnforcementError } from '../../etl/table/errors.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { ObjectStorePointerStore } from '../support/iceberg-pointer-store.js';
import { STORE_KINDS, tempDir } from '../support/stores.js';

const DAY0 = Date.UTC(2025, 3, 1) / 86_400_000;
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

async function ids(table: IcebergTable, options: { snapshotId?: bigint; asOfTimestampMs?: number } = {}): Promise<number[]> {
  const t = await table.toArrow({ ...options, columns: ['id'] });
  return [...t.getChild('id')!].map(Number).sort((a, b) => a - b);
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const m of store.list(prefix)) out.push(m.key);
  return out.sort();
}

function le32(n: number): number[] {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return [...b];
}

function le64(n: bigint): number[] {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return [...b];
}

/** The rows of `t` with ids in `wanted`, as one batch (for small merge sources). */
function rowsWithIds(t: arrow.Table, wanted: number[]): arrow.Table {
  const idx = [...t.getChild('id')!].map(Number).flatMap((id, i) => (wanted.includes(id) ? [i] : []));
  const batch = t.batches[0]!;
  const children = batch.data.children.map((d) => {
    const v = new arrow.Vector([d]);
    const b = arrow.makeBuilder({ type: d.type, nullValues: [null, undefined] });
    for (const i of idx) b.append(v.get(i));
    return b.finish().flush();
  });
  return new arrow.Table([new arrow.RecordBatch(t.schema, arrow.makeData({ type: new arrow.Struct(t.schema.fields), length: idx.length, nullCount: 0, children }))]);
}

describe.each(STORE_KINDS)('Iceberg tables on $name', (kind) => {
  let warehouse: ObjectStore;
  let root: ObjectStore;
  let pointers: ObjectStorePointerStore;
  beforeEach(async () => {
    warehouse = (await kind.fresh()).store;
    root = new PrefixedStore(warehouse, 'processed/ecommerce/order_items');
    pointers = new ObjectStorePointerStore(warehouse);
  });

  const create = (options: IcebergTableOptions = {}, partitionBy: Parameters<typeof IcebergTable.create>[3]['partitionBy'] = ['date']) =>
    IcebergTable.create(root, pointers, 'ecommerce.order_items', { schema: ORDER_ITEMS_SCHEMA, partitionBy, identifierColumns: ['id'] }, options);
  const reopen = (options: IcebergTableOptions = {}) => IcebergTable.open(root, pointers, 'ecommerce.order_items', options);

  test('create writes v2 metadata: schema with field ids, identity and day partition fields from 1000, name mapping, no snapshot', async () => {
    const table = await create({}, ['date', { column: 'order_timestamp', transform: 'day' }]);
    expect(table.metadataLocation).toMatch(/\/metadata\/00000-[0-9a-f-]{36}\.metadata\.json$/);
    expect(table.metadataLocation.startsWith(root.uri)).toBe(true);
    const raw = JSON.parse(new TextDecoder().decode(await root.get(table.files.keyOf(table.metadataLocation)!)));
    expect(raw).toMatchObject({
      'format-version': 2,
      location: table.files.root,
      'last-sequence-number': 0,
      'last-column-id': 9,
      'current-schema-id': 0,
      'default-spec-id': 0,
      'last-partition-id': 1001,
      'default-sort-order-id': 0,
      'sort-orders': [{ 'order-id': 0, fields: [] }],
      'current-snapshot-id': -1,
      snapshots: [],
      refs: {},
    });
    expect(raw['table-uuid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(raw.schemas[0].fields.map((f: { id: number; name: string; type: string; required: boolean }) => `${f.id}:${f.name}:${f.type}:${f.required}`)).toEqual([
      '1:id:int:true', '2:order_id:int:true', '3:user_id:int:false', '4:days_since_prior_order:int:false', '5:product_id:int:true',
      '6:add_to_cart_order:int:false', '7:reordered:int:false', '8:order_timestamp:timestamptz:true', '9:date:date:true',
    ]);
    expect(raw.schemas[0]['identifier-field-ids']).toEqual([1]);
    expect(raw['partition-specs']).toEqual([
      {
        'spec-id': 0,
        fields: [
          { 'source-id': 9, 'field-id': 1000, name: 'date', transform: 'identity' },
          { 'source-id': 8, 'field-id': 1001, name: 'order_timestamp_day', transform: 'day' },
        ],
      },
    ]);
    expect(JSON.parse(raw.properties['schema.name-mapping.default'])[7]).toEqual({ 'field-id': 8, names: ['order_timestamp'] });
    expect(table.schema.fields.map((f) => f.metadata.get('PARQUET:field_id'))).toEqual(range(1, 10).map(String));
    expect(await ids(table)).toEqual([]);
    await expect(create()).rejects.toThrow(IcebergTableExistsError);
    await expect(IcebergTable.open(root, pointers, 'ecommerce.nope')).rejects.toThrow(IcebergTableNotFoundError);
  });

  test('append: snapshot summary, manifest list and manifest Avro with field ids, bounds, Parquet field ids; a second append reuses the manifest', async () => {
    const table = await create({}, ['date', { column: 'order_timestamp', transform: 'day' }]);
    const m = await write(table, orderItems(30, 0, { days: 3 }));
    expect(m).toMatchObject({ version: 1, filesAdded: 3, rowsWritten: 30, skipped: false, attempts: 1 });
    const snap = table.currentSnapshot!;
    expect(snap['snapshot-id']).toBe(m.snapshotId);
    expect(snap['sequence-number']).toBe(1);
    expect(snap['parent-snapshot-id']).toBeUndefined();
    expect(snap.summary).toMatchObject({
      operation: 'append', 'added-data-files': '3', 'added-records': '30', 'total-records': '30', 'total-data-files': '3',
      'changed-partition-count': '3', 'engine-name': 'lakehouse-etl', 'total-delete-files': '0',
    });
    expect(Number(snap.summary['added-files-size'])).toBe(m.bytesWritten);
    expect(table.metadata.refs.main).toEqual({ 'snapshot-id': snap['snapshot-id'], type: 'branch' });
    expect(table.metadata['snapshot-log']).toHaveLength(1);
    expect(table.metadata['metadata-log']).toHaveLength(1);
    expect(table.metadataLocation).toMatch(/\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/);

    // The manifest list, decoded from the Avro we wrote.
    const list = decodeAvroFile<Record<string, unknown>>(await table.files.read(snap['manifest-list']));
    const listFields = (list.schema as { fields: { name: string; 'field-id': number }[] }).fields.map((f) => [f.name, f['field-id']]);
    expect(listFields).toEqual(expect.arrayContaining([['manifest_path', 500], ['manifest_length', 501], ['partition_spec_id', 502], ['content', 517], ['sequence_number', 515], ['added_snapshot_id', 503], ['partitions', 507]]));
    expect(list.metadata).toMatchObject({ 'snapshot-id': String(snap['snapshot-id']), 'sequence-number': '1', 'format-version': '2' });
    expect(list.records).toHaveLength(1);
    const mf = list.records[0]!;
    expect(mf).toMatchObject({ partition_spec_id: 0, content: 0, sequence_number: 1n, min_sequence_number: 1n, added_snapshot_id: snap['snapshot-id'], added_files_count: 3, existing_files_count: 0, deleted_files_count: 0, added_rows_count: 30n });
    const summaries = mf.partitions as { contains_null: boolean; lower_bound: Uint8Array; upper_bound: Uint8Array }[];
    expect(summaries.map((p) => [p.contains_null, [...p.lower_bound], [...p.upper_bound]])).toEqual([
      [false, le32(DAY0), le32(DAY0 + 2)],
      [false, le32(DAY0), le32(DAY0 + 2)],
    ]);

    // The manifest.
    const manifest = decodeAvroFile<Record<string, any>>(await table.files.read(mf.manifest_path as string));
    expect(manifest.metadata).toMatchObject({ 'format-version': '2', content: 'data', 'partition-spec-id': '0', 'schema-id': '0' });
    expect(JSON.parse(manifest.metadata['partition-spec']!)).toHaveLength(2);
    expect(JSON.parse(manifest.metadata.schema!).fields).toHaveLength(9);
    const entrySchema = manifest.schema as { fields: { name: string; 'field-id': number; type: any }[] };
    expect(entrySchema.fields.map((f) => [f.name, f['field-id']])).toEqual([['status', 0], ['snapshot_id', 1], ['sequence_number', 3], ['file_sequence_number', 4], ['data_file', 2]]);
    const dataFileFields = entrySchema.fields[4]!.type.fields as { name: string; 'field-id': number; type: any }[];
    expect(Object.fromEntries(dataFileFields.map((f) => [f.name, f['field-id']]))).toMatchObject({
      content: 134, file_path: 100, file_format: 101, partition: 102, record_count: 103, file_size_in_bytes: 104,
      column_sizes: 108, value_counts: 109, null_value_counts: 110, lower_bounds: 125, upper_bounds: 128,
    });
    expect(dataFileFields.find((f) => f.name === 'partition')!.type.fields.map((f: { name: string; 'field-id': number }) => [f.name, f['field-id']])).toEqual([['date', 1000], ['order_timestamp_day', 1001]]);
    expect(manifest.records).toHaveLength(3);
    const data = orderItems(30, 0, { days: 3 });
    for (const entry of manifest.records) {
      expect(entry).toMatchObject({ status: 1, snapshot_id: snap['snapshot-id'], sequence_number: null, file_sequence_number: null });
      const f = entry.data_file;
      expect(f.content).toBe(0);
      expect(f.file_format).toBe('PARQUET');
      const day = f.partition.date as number;
      expect(f.partition.order_timestamp_day).toBe(day);
      expect(f.file_path).toMatch(new RegExp(`/data/date=${new Date(day * 86_400_000).toISOString().slice(0, 10)}/order_timestamp_day=`));
      expect(f.record_count).toBe(10n);
      const key = table.files.keyOf(f.file_path)!;
      expect(BigInt((await root.head(key))!.size)).toBe(f.file_size_in_bytes);
      const byId = (m: { key: number; value: unknown }[]) => new Map(m.map((e) => [e.key, e.value]));
      expect([...byId(f.value_counts).values()]).toEqual(Array(9).fill(10n));
      expect(byId(f.column_sizes).size).toBe(9);
      // Rows of this file: ids k with k % 3 === day - DAY0.
      const rows = range(0, 30).filter((k) => k % 3 === day - DAY0);
      expect([...byId(f.lower_bounds).get(1) as Uint8Array]).toEqual(le32(rows[0]!));
      expect([...byId(f.upper_bounds).get(1) as Uint8Array]).toEqual(le32(rows.at(-1)!));
      expect([...byId(f.lower_bounds).get(9) as Uint8Array]).toEqual(le32(day));
      const ts = [...data.getChild('order_timestamp')!.data[0]!.values as unknown as BigInt64Array].filter((_, i) => rows.includes(i));
      const minTs = ts.reduce((a, b) => (b < a ? b : a));
      const maxTs = ts.reduce((a, b) => (b > a ? b : a));
      expect([...byId(f.lower_bounds).get(8) as Uint8Array]).toEqual(le64(minTs));
      expect([...byId(f.upper_bounds).get(8) as Uint8Array]).toEqual(le64(maxTs));
      const dspo = data.getChild('days_since_prior_order')!;
      expect(byId(f.null_value_counts).get(4)).toBe(BigInt(rows.filter((k) => dspo.get(k) === null).length));
      expect(byId(f.null_value_counts).get(1)).toBe(0n);

      // Parquet columns carry the field ids, partition source columns included (DuckDB's parquet_schema).
      const local = join(tempDir('iceberg-pq-'), 'f.parquet');
      writeFileSync(local, await root.get(key));
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const schemaRows = (await conn.runAndReadAll(`select name, field_id from parquet_schema('${local}') where field_id is not null`)).getRowObjects();
      expect(schemaRows.map((r) => [r.name, Number(r.field_id)])).toEqual(ORDER_ITEMS_SCHEMA.fields.map((fld, i) => [fld.name, i + 1]));
      conn.closeSync();
      db.closeSync();
    }

    // A second append: a new manifest, the first one reused as it is (fast append).
    await write(table, orderItems(30, 30, { days: 3 }));
    const list2 = decodeAvroFile<Record<string, unknown>>(await table.files.read(table.currentSnapshot!['manifest-list']));
    expect(list2.records.map((r) => r.manifest_path)).toContain(mf.manifest_path);
    expect(list2.records).toHaveLength(2);
    expect(table.currentSnapshot!.summary).toMatchObject({ 'total-records': '60', 'total-data-files': '6', 'manifests-kept': '1', 'manifests-created': '1' });
    expect(table.currentSnapshot!['parent-snapshot-id']).toBe(snap['snapshot-id']);
    expect(await ids(table)).toEqual(range(0, 60));
    const files = await table.dataFiles();
    expect(files).toHaveLength(6);
    expect(files.every((f) => f.key!.startsWith('data/date=') && f.recordCount === 10)).toBe(true);
    expect(new Set(files.map((f) => f.partition.date))).toEqual(new Set([DAY0, DAY0 + 1, DAY0 + 2]));
  });

  test('a batch whose txn version is already committed commits nothing; keys are carried forward in every snapshot', async () => {
    const table = await create();
    const first = await write(table, orderItems(10), { txn: { appId: 'loader', version: 1 } });
    expect(first.skipped).toBe(false);
    expect(table.currentSnapshot!.summary['lakehouse.txn.loader']).toBe('1');
    const again = await write(table, orderItems(10), { txn: { appId: 'loader', version: 1 } });
    expect(again).toMatchObject({ skipped: true, filesAdded: 0, version: 1 });
    expect((await write(table, orderItems(10), { txn: { appId: 'loader', version: 0 } })).skipped).toBe(true);
    await write(table, orderItems(5, 10), { txn: { appId: 'other', version: 7 } });
    await deleteWhere(table, { column: 'id', op: '=', value: 0 });
    const summary = table.currentSnapshot!.summary;
    expect(summary).toMatchObject({ 'lakehouse.txn.loader': '1', 'lakehouse.txn.other': '7' });
    expect(table.alreadyCommitted('loader', 1)).toBe(true);
    expect(table.alreadyCommitted('loader', 2)).toBe(false);
    expect(table.alreadyCommitted('other', 7)).toBe(true);
    expect(table.alreadyCommitted('nobody', 0)).toBe(false);
    expect((await merge(table, orderItems(1, 3), { keys: ['id'], txn: { appId: 'loader', version: 1 } })).skipped).toBe(true);
    expect(await ids(table)).toEqual(range(1, 15));
    // No files of the skipped batches are left behind.
    const listed = new Set((await table.dataFiles()).map((f) => f.key));
    expect((await keys(root, 'data/')).filter((k) => !listed.has(k))).toHaveLength(
      // the delete rewrote one file: the removed one is still referenced by the older snapshot
      1,
    );
  });

  test('overwrite replaces exactly the partitions the batch touches, atomically; or the whole table', async () => {
    const table = await create();
    await write(table, orderItems(30, 0, { days: 3 }));
    const before = table.currentSnapshot!;
    // New rows for the first day only: ids 100..104 all on 2025-04-01.
    const day1 = orderItems(5, 100, { days: 1 });
    const m = await write(table, day1, { mode: 'overwrite' });
    expect(m).toMatchObject({ filesAdded: 1, filesRemoved: 1, rowsWritten: 5 });
    expect(await ids(table)).toEqual([...range(0, 30).filter((k) => k % 3 !== 0), ...range(100, 105)].sort((a, b) => a - b));
    const snap = table.currentSnapshot!;
    expect(snap.summary).toMatchObject({ operation: 'overwrite', 'added-data-files': '1', 'deleted-data-files': '1', 'deleted-records': '10', 'total-records': '25', 'replace-partitions': 'true' });
    // The rewritten manifest marks the replaced file DELETED and keeps the others EXISTING with their sequence numbers.
    const list = decodeAvroFile<Record<string, any>>(await table.files.read(snap['manifest-list'])).records;
    expect(list).toHaveLength(2);
    const rewritten = list.find((r) => r.deleted_files_count === 1)!;
    expect(rewritten).toMatchObject({ existing_files_count: 2, added_files_count: 0, sequence_number: 2n, min_sequence_number: 1n, added_snapshot_id: snap['snapshot-id'] });
    const entries = decodeAvroFile<Record<string, any>>(await table.files.read(rewritten.manifest_path)).records;
    expect(entries.map((e) => [e.status, e.sequence_number, e.file_sequence_number, e.snapshot_id === snap['snapshot-id']]).sort()).toEqual([
      [0, 1n, 1n, false],
      [0, 1n, 1n, false],
      [2, 1n, 1n, true],
    ]);
    // The old snapshot still reads the old rows.
    expect(await ids(table, { snapshotId: before['snapshot-id'] })).toEqual(range(0, 30));
    await write(table, orderItems(4, 200, { days: 2 }), { mode: 'overwrite', overwrite: 'table' });
    expect(await ids(table)).toEqual(range(200, 204));
    expect(table.currentSnapshot!.summary).toMatchObject({ operation: 'overwrite', 'deleted-data-files': '3', 'total-records': '4', 'total-data-files': '2' });
  });

  // A merge of ids 102 and 105 (new values) and 500 (new) into ids 0..29 and 100..129 (3 days each):
  // buffered, with an earlier row of 102 the later one supersedes; and declared unique, streamed.
  test.each([
    ['buffered (the latest source row of a key wins)', false],
    ['of a source declared unique, streamed into its files', true],
  ])('merge %s upserts by key and rewrites only files holding matched keys, pruning with bounds', async (_, sourceUnique) => {
    const table = await create();
    await write(table, orderItems(30, 0, { days: 3 })); // ids 0..29
    await write(table, orderItems(30, 100, { days: 3 })); // ids 100..129
    const fresh = orderItems(30, 100, { days: 3, seed: 999 });
    const source = rowsWithIds(fresh, [102, 105]);
    const inserted = orderItems(1, 500, { days: 3 });
    const first = sourceUnique ? [] : rowsWithIds(orderItems(30, 100, { days: 3, seed: 5 }), [102]).batches; // superseded by the later row of 102
    const before = await keys(root, 'data/');
    const m = await merge(table, [...first, ...source.batches, ...inserted.batches], { keys: ['id'], ...(sourceUnique ? { sourceUnique } : {}) });
    // Files of ids 0..29 are pruned by their bounds; of the three files of 100..129 only 2025-04-01's holds 102 and 105.
    expect(m).toMatchObject({ sourceRows: 3, rowsUpdated: 2, rowsInserted: 1, filesRead: 3, filesRemoved: 1, rowsCopied: 8, skipped: false });
    expect(await ids(table)).toEqual([...range(0, 30), ...range(100, 130), 500]);
    const t = await table.toArrow();
    const userOf = (tbl: arrow.Table, id: number) => tbl.getChild('user_id')!.get([...tbl.getChild('id')!].map(Number).indexOf(id));
    expect(userOf(t, 102)).toBe(userOf(fresh, 102));
    expect(userOf(t, 105)).toBe(userOf(fresh, 105));
    expect(table.currentSnapshot!.summary).toMatchObject({ operation: 'overwrite', 'deleted-data-files': '1', 'total-records': '61', 'lakehouse.merge-keys': 'id' });
    // On disk: the files of before (the removed one stays for time travel) and the live ones; nothing left over.
    const live = (await table.dataFiles()).map((f) => f.key);
    expect(await keys(root, 'data/')).toEqual([...new Set([...before, ...live])].sort());
  });

  test('a unique-source merge whose input fails, or repeats a key, commits nothing and leaves no data file behind', async () => {
    const table = await create();
    await write(table, orderItems(30, 0, { days: 3 }));
    const dataBefore = await keys(root, 'data/');
    const version = table.metadata['last-sequence-number'];
    async function* failing(): AsyncGenerator<arrow.RecordBatch> {
      yield* orderItems(20, 100, { days: 3 }).batches;
      yield* orderItems(20, 200, { days: 3 }).batches;
      throw new Error('the input broke');
    }
    // A small memory budget makes the writer put files before the input fails.
    const tight = await reopen({ files: { memoryBudget: 1 } });
    await expect(merge(tight, failing(), { keys: ['id'], sourceUnique: true })).rejects.toThrow('the input broke');
    const repeated = [...orderItems(5, 300, { days: 3 }).batches, ...orderItems(5, 300, { days: 3 }).batches];
    await expect(merge(tight, repeated, { keys: ['id'], sourceUnique: true })).rejects.toMatchObject({ name: 'DuplicateSourceKeyError' });
    await expect(write(tight, failing())).rejects.toThrow('the input broke');
    await tight.refresh();
    expect(tight.metadata['last-sequence-number']).toBe(version);
    expect(await keys(root, 'data/')).toEqual(dataBefore);
    expect(await ids(tight)).toEqual(range(0, 30));
    // A failure after the source was staged (a live file that cannot be read) deletes the staged files too.
    const [lost] = dataBefore;
    await root.delete(lost!);
    await expect(merge(tight, orderItems(30, 0, { days: 3, seed: 3 }), { keys: ['id'], sourceUnique: true })).rejects.toThrow();
    expect(await keys(root, 'data/')).toEqual(dataBefore.slice(1));
  });

  test('delete: a partition predicate drops whole files unread; a row predicate prunes by bounds and rewrites', async () => {
    const table = await create();
    await write(table, orderItems(30, 0, { days: 3 }));
    await write(table, orderItems(30, 100, { days: 3 }));
    const byPartition = await deleteWhere(table, { column: 'date', op: '=', value: '2025-04-01' });
    expect(byPartition).toMatchObject({ rowsDeleted: 20, filesRead: 0, filesRemoved: 2, filesAdded: 0, rowsCopied: 0 });
    expect(table.currentSnapshot!.summary).toMatchObject({ operation: 'delete', 'deleted-data-files': '2', 'deleted-records': '20', 'total-records': '40' });
    const byRow = await deleteWhere(table, { column: 'id', op: '>=', value: 120 });
    // Only the two remaining files of ids 100..129 can hold ids >= 120.
    expect(byRow).toMatchObject({ filesRead: 2, filesRemoved: 2, filesAdded: 2, rowsDeleted: 6 });
    expect(table.currentSnapshot!.summary.operation).toBe('overwrite');
    expect(await ids(table)).toEqual([...range(0, 30), ...range(100, 120)].filter((k) => k % 3 !== 0));
    const none = await deleteWhere(table, { column: 'id', op: '>', value: 10_000 });
    expect(none).toMatchObject({ filesRead: 0, filesRemoved: 0, version: byRow.version });
  });

  test('compaction rewrites small files per partition into one, same rows (a replace snapshot)', async () => {
    const table = await create();
    for (let i = 0; i < 4; i++) await write(table, orderItems(9, i * 9, { days: 3 }));
    expect(await table.dataFiles()).toHaveLength(12);
    const before = await table.toArrow();
    const m = await optimize(table, { targetSize: 1024 * 1024 });
    expect(m).toMatchObject({ filesRemoved: 12, filesAdded: 3, partitionsOptimized: 3, rowsRewritten: 36 });
    expect(table.currentSnapshot!.summary).toMatchObject({ operation: 'replace', 'added-data-files': '3', 'deleted-data-files': '12', 'total-records': '36', 'total-data-files': '3' });
    const after = await table.toArrow();
    const canon = (t: arrow.Table) => [...t].map((r) => JSON.stringify(r.toJSON(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))).sort();
    expect(canon(after)).toEqual(canon(before));
    expect((await optimize(table)).filesRemoved).toBe(0); // nothing left to compact
  });

  test('time travel by snapshot id and by timestamp; history newest first', async () => {
    const clock = fixedClock(Date.UTC(2025, 4, 1));
    const table = await create({ clock });
    clock.ms += 1000;
    const a = await write(table, orderItems(10, 0));
    const tA = clock.ms;
    clock.ms += 60_000;
    const b = await write(table, orderItems(10, 10));
    clock.ms += 60_000;
    await deleteWhere(table, { column: 'id', op: '<', value: 5 });
    expect(await ids(table, { snapshotId: a.snapshotId })).toEqual(range(0, 10));
    expect(await ids(table, { snapshotId: b.snapshotId })).toEqual(range(0, 20));
    expect(await ids(table, { asOfTimestampMs: tA + 30_000 })).toEqual(range(0, 10));
    expect(await ids(table, { asOfTimestampMs: clock.ms })).toEqual(range(5, 20));
    expect(() => table.snapshotAt({ asOfTimestampMs: tA - 1 })).toThrow(SnapshotNotFoundError);
    // A filter prunes files by their bounds and keeps the matching rows; the projection drops its column.
    const filtered = await table.toArrow({ snapshotId: b.snapshotId, columns: ['user_id'], filter: { and: [{ column: 'id', op: '>=', value: 8 }, { column: 'id', op: '<', value: 12 }] } });
    expect(filtered.schema.fields.map((f) => f.name)).toEqual(['user_id']);
    expect(filtered.numRows).toBe(4);
    expect(() => table.snapshotAt({ snapshotId: 42n })).toThrow(SnapshotNotFoundError);
    const history = table.history();
    expect(history.map((h) => h.operation)).toEqual(['overwrite', 'append', 'append']); // the delete rewrote files
    expect(history.map((h) => h.sequenceNumber)).toEqual([3, 2, 1]);
    expect(history[1]!.snapshotId).toBe(b.snapshotId);
    expect(history[1]!.parentSnapshotId).toBe(a.snapshotId);
    // Another handle reads the same history from the catalog.
    expect((await reopen()).history().map((h) => h.snapshotId)).toEqual(history.map((h) => h.snapshotId));
  });

  test('expire snapshots keeps the newest ones and deletes the files only expired snapshots referenced', async () => {
    const clock = fixedClock(Date.UTC(2025, 4, 1));
    const table = await create({ clock });
    for (let i = 0; i < 3; i++) {
      clock.ms += 1000;
      await write(table, orderItems(9, i * 9, { days: 3 }));
    }
    clock.ms += 1000;
    const first = table.history().at(-1)!.snapshotId;
    await optimize(table);
    clock.ms += 1000;
    const rows = await ids(table);
    const dry = await expireSnapshots(table, { olderThanMs: clock.ms + 1, retainLast: 2, dryRun: true });
    expect(dry.expiredSnapshotIds).toHaveLength(2);
    expect(table.metadata.snapshots).toHaveLength(4);
    const m = await expireSnapshots(table, { olderThanMs: clock.ms + 1, retainLast: 2 });
    expect(m.expiredSnapshotIds).toEqual(dry.expiredSnapshotIds);
    expect(m.expiredSnapshotIds).toContain(first);
    expect(table.metadata.snapshots).toHaveLength(2);
    expect(table.metadata['snapshot-log']).toHaveLength(2);
    // The compaction removed the 9 small files; they were live only in expired snapshots (and the third append's, kept).
    expect(m.deletedManifestLists).toHaveLength(2);
    expect(m.deletedDataFiles).toHaveLength(0); // still referenced by the retained third append
    for (const uri of m.deletedManifestLists) expect(await root.head(table.files.keyOf(uri)!)).toBeUndefined();
    expect(await ids(table)).toEqual(rows);
    expect(() => table.snapshotAt({ snapshotId: first })).toThrow(SnapshotNotFoundError);
    const again = await expireSnapshots(table, { olderThanMs: clock.ms + 1, retainLast: 1 });
    expect(again.expiredSnapshotIds).toHaveLength(1);
    expect(again.deletedDataFiles).toHaveLength(9);
    for (const uri of again.deletedDataFiles) expect(await root.head(table.files.keyOf(uri)!)).toBeUndefined();
    expect(await ids(table)).toEqual(rows);
    expect((await table.dataFiles()).map((f) => f.key).sort()).toEqual(await keys(root, 'data/'));
  });

  test('remove orphan files deletes only unreferenced files older than the retention, with a dry run', async () => {
    const clock = fixedClock(Date.now());
    const table = await create({ clock });
    await write(table, orderItems(10, 0));
    await root.put('data/date=2025-04-01/stray.parquet', new Uint8Array([1, 2, 3]));
    await root.put('metadata/stray-m0.avro', new Uint8Array([4]));
    const recent = await removeOrphanFiles(table);
    expect(recent.files).toEqual([]); // younger than 3 days
    clock.ms += 4 * 86_400_000;
    const dry = await removeOrphanFiles(table, { dryRun: true });
    expect(dry.files.sort()).toEqual(['data/date=2025-04-01/stray.parquet', 'metadata/stray-m0.avro']);
    expect(await root.head('metadata/stray-m0.avro')).toBeDefined();
    const m = await removeOrphanFiles(table);
    expect(m.files.sort()).toEqual(dry.files.sort());
    expect(m.bytes).toBe(4);
    expect(await root.head('metadata/stray-m0.avro')).toBeUndefined();
    expect(await ids(await reopen())).toEqual(range(0, 10));
  });

  test('a lost race is re-applied for an append; a conflicting overwrite is a typed error and leaves no files', async () => {
    const table = await create();
    await write(table, orderItems(9, 0, { days: 3 }));
    const sleeps: number[] = [];
    const stale = await reopen({ commit: { sleep: async (ms) => void sleeps.push(ms) } });
    // Another writer commits first; the stale append then loses the pointer swap, refreshes and re-applies.
    const winner = await write(await reopen(), orderItems(9, 100, { days: 3 }));
    const m = await writeNoRefresh(stale, orderItems(9, 200, { days: 3 }));
    expect(m.attempts).toBe(2);
    expect(sleeps).toHaveLength(1);
    const now = await reopen();
    expect(await ids(now)).toEqual([...range(0, 9), ...range(100, 109), ...range(200, 209)]);
    expect(now.currentSnapshot!['parent-snapshot-id']).toBe(winner.snapshotId);
    expect(now.currentSnapshot!['sequence-number']).toBe(3);
    expect(now.metadata.snapshots).toHaveLength(3);

    // The same batch (txn) committed by another writer meanwhile: skipped, and its files removed.
    const staleTxn = await reopen();
    await write(await reopen(), orderItems(3, 700, { days: 3 }), { txn: { appId: 'job', version: 1 } });
    const dataBeforeTxn = await keys(root, 'data/');
    expect(await writeNoRefresh(staleTxn, orderItems(3, 700, { days: 3 }), { txn: { appId: 'job', version: 1 } })).toMatchObject({ skipped: true, attempts: 2 });
    expect(await keys(root, 'data/')).toEqual(dataBeforeTxn);
    await deleteWhere(await reopen(), { column: 'id', op: '>=', value: 700 });

    // A stale overwrite of partitions the winner appended to conflicts.
    const staleOverwrite = await reopen();
    await write(await reopen(), orderItems(3, 300, { days: 3 }));
    const dataBefore = await keys(root, 'data/');
    await expect(writeNoRefresh(staleOverwrite, orderItems(3, 400, { days: 3 }), { mode: 'overwrite' })).rejects.toThrow(ConcurrentModificationError);
    expect(await keys(root, 'data/')).toEqual(dataBefore); // its new files were removed
    const after = await reopen();
    expect(await ids(after)).toEqual([...range(0, 9), ...range(100, 109), ...range(200, 209), ...range(300, 303)]);
    // An overwrite of a partition nobody touched meanwhile is re-applied.
    const staleDay = await reopen();
    await write(await reopen(), orderItems(1, 501, { days: 3 })); // 501 % 3 = 0: 2025-04-01
    const day3 = orderItems(1, 602, { days: 3 }); // 602 % 3 = 2: 2025-04-03 only
    const ok = await writeNoRefresh(staleDay, day3, { mode: 'overwrite' });
    expect(ok.attempts).toBe(2);
    expect((await ids(await reopen())).filter((k) => k % 3 === 2)).toEqual([602]);
  });

  test('a compaction that lost to a delete of its files conflicts; schema enforcement names the column', async () => {
    const table = await create();
    for (let i = 0; i < 2; i++) await write(table, orderItems(6, i * 6, { days: 3 }));
    const staleCompaction = await reopen();
    await deleteWhere(await reopen(), { column: 'date', op: '=', value: '2025-04-02' });
    await expect(optimizeNoRefresh(staleCompaction)).rejects.toThrow(ConcurrentModificationError);
    expect(await ids(await reopen())).toEqual(range(0, 12).filter((k) => k % 3 !== 1));
    const bad = new arrow.Table({ id: arrow.vectorFromArray([1.5], new arrow.Float64()) });
    await expect(write(table, bad)).rejects.toThrow(SchemaEnforcementError);
  });
});

/** `write` on a handle whose state is deliberately stale: skip the refresh the operation would do first. */
async function writeNoRefresh(table: IcebergTable, input: arrow.Table, options: Parameters<typeof write>[2] = {}) {
  const refresh = table.refresh.bind(table);
  let first = true;
  table.refresh = async () => {
    if (first) {
      first = false;
      return table.metadata;
    }
    return refresh();
  };
  return write(table, input, options);
}

/** `optimize` on a stale handle (see writeNoRefresh). */
async function optimizeNoRefresh(table: IcebergTable) {
  const refresh = table.refresh.bind(table);
  let first = true;
  table.refresh = async () => {
    if (first) {
      first = false;
      return table.metadata;
    }
    return refresh();
  };
  return optimize(table);
}
