/** Delta table behaviour on every store: writes, reads, txn idempotency, overwrite, merge, delete, optimize, vacuum, checkpoints. */
import * as arrow from 'apache-arrow';
import { fixedClock } from '../../etl/clock.js';
import { DeltaTable, deleteWhere, merge, optimize, vacuum, write, SchemaEnforcementError, ConcurrentModificationError } from '../../etl/delta/index.js';
import { LogStore } from '../../etl/delta/log-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { STORE_KINDS } from '../support/stores.js';

async function ids(table: DeltaTable, version?: number): Promise<number[]> {
  const t = await table.toArrow({ version, columns: ['id'] });
  return [...t.getChild('id')!].map(Number).sort((a, b) => a - b);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

async function keys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const m of store.list(prefix)) out.push(m.key);
  return out;
}

describe.each(STORE_KINDS)('Delta tables on $name', (kind) => {
  let root: ObjectStore;
  beforeEach(async () => {
    root = new PrefixedStore((await kind.fresh()).store, 'processed/ecommerce/order_items');
  });

  const create = (config: Record<string, string> = {}, clock = fixedClock(Date.UTC(2025, 3, 1))) =>
    DeltaTable.create(root, { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'], configuration: config }, { clock });

  test('create writes protocol 1/2 and metaData with the Spark schema; append adds partitioned files with stats', async () => {
    const table = await create();
    const m = await write(table, orderItems(30, 0, { days: 3 }));
    expect(m).toMatchObject({ version: 1, filesAdded: 3, rowsWritten: 30, skipped: false });
    const v0 = await table.log.readCommit(0);
    const protocol = v0.find((a) => 'protocol' in a) as { protocol: { minReaderVersion: number; minWriterVersion: number } };
    expect(protocol.protocol).toEqual({ minReaderVersion: 1, minWriterVersion: 2 });
    const meta = (v0.find((a) => 'metaData' in a) as { metaData: { schemaString: string; partitionColumns: string[]; format: unknown } }).metaData;
    expect(meta.partitionColumns).toEqual(['date']);
    expect(meta.format).toEqual({ provider: 'parquet', options: {} });
    const schema = JSON.parse(meta.schemaString);
    expect(schema.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`)).toEqual([
      'id:integer', 'order_id:integer', 'user_id:integer', 'days_since_prior_order:integer', 'product_id:integer',
      'add_to_cart_order:integer', 'reordered:integer', 'order_timestamp:timestamp', 'date:date',
    ]);
    const adds = (await table.log.readCommit(1)).flatMap((a) => ('add' in a ? [a.add] : []));
    expect(adds.map((a) => a.partitionValues.date).sort()).toEqual(['2025-04-01', '2025-04-02', '2025-04-03']);
    for (const add of adds) {
      expect(add.path).toMatch(new RegExp(`^date=${add.partitionValues.date}/part-\\d{5}-[0-9a-f-]{36}-c000\\.zstd\\.parquet$`));
      const stats = JSON.parse(add.stats!);
      expect(stats.numRecords).toBe(10);
      expect(stats.nullCount.id).toBe(0);
      expect(stats.minValues.order_timestamp.startsWith(add.partitionValues.date!)).toBe(true);
      expect(stats.minValues.date).toBeUndefined(); // partition columns are not in the files
      expect(add.dataChange).toBe(true);
      expect((await root.head(add.path))!.size).toBe(add.size);
    }
    expect(await ids(table)).toEqual(range(0, 30));
    // The table reads back with partition values restored as a real column.
    const t = await table.toArrow();
    expect(t.schema.fields.map((f) => f.name)).toEqual(ORDER_ITEMS_SCHEMA.fields.map((f) => f.name));
    const dates = new Set([...t.getChild('date')!].map((d) => new Date(Number(d)).toISOString().slice(0, 10)));
    expect([...dates].sort()).toEqual(['2025-04-01', '2025-04-02', '2025-04-03']);
  });

  test('a batch whose txn version is already committed commits nothing', async () => {
    const table = await create();
    const first = await write(table, orderItems(10), { txn: { appId: 'loader', version: 1 } });
    expect(first.skipped).toBe(false);
    const again = await write(table, orderItems(10), { txn: { appId: 'loader', version: 1 } });
    expect(again).toMatchObject({ skipped: true, filesAdded: 0, version: first.version });
    const older = await write(table, orderItems(10), { txn: { appId: 'loader', version: 0 } });
    expect(older.skipped).toBe(true);
    expect(table.version).toBe(first.version);
    expect(await ids(table)).toEqual(range(0, 10));
    const next = await write(table, orderItems(5, 10), { txn: { appId: 'loader', version: 2 } });
    expect(next.skipped).toBe(false);
    expect(table.snapshot.txns.get('loader')?.version).toBe(2);
  });

  test('overwrite: whole table, a partition predicate, and the partitions the data touches', async () => {
    const table = await create();
    await write(table, orderItems(30, 0, { days: 3 }));
    // Replace only 2025-04-02 with new rows.
    const replacement = orderItems(6, 100, { days: 1 }); // all dated 2025-04-01... shift to 04-02 below
    const shifted = shiftDate(replacement, 1);
    await write(table, shifted, { mode: 'overwrite', overwrite: { column: 'date', op: '=', value: '2025-04-02' } });
    const afterPredicate = await ids(table);
    expect(afterPredicate).toEqual([...range(0, 30).filter((i) => i % 3 !== 1), ...range(100, 106)].sort((a, b) => a - b));
    // Data outside the predicate is refused, naming the problem.
    await expect(write(table, orderItems(3, 200, { days: 1 }), { mode: 'overwrite', overwrite: { column: 'date', op: '=', value: '2025-04-02' } })).rejects.toThrow(/does not match the overwrite predicate/);
    // Dynamic: only partitions present in the new data are replaced.
    await write(table, orderItems(4, 300, { days: 1 }), { mode: 'overwrite', overwrite: 'partitions' });
    const afterDynamic = await ids(table);
    expect(afterDynamic).toEqual([...range(0, 30).filter((i) => i % 3 === 2), ...range(100, 106), ...range(300, 304)].sort((a, b) => a - b));
    // Whole table.
    await write(table, orderItems(2, 500), { mode: 'overwrite' });
    expect(await ids(table)).toEqual([500, 501]);
    // Old versions still read (time travel).
    expect(await ids(table, 1)).toEqual(range(0, 30));
  });

  test('merge upserts by key, latest source row wins, and rewrites only files holding matched keys', async () => {
    const table = await create();
    await write(table, orderItems(10, 0, { days: 1 })); // one file: ids 0..9
    await write(table, orderItems(10, 10, { days: 1 })); // another file: ids 10..19
    const filesBefore = table.snapshot.files.size;
    // Source: ids 3 (twice, the second wins), 25 (new).
    const src = orderItems(3, 0, { days: 1 });
    const idCol = Int32Array.from([3, 3, 25]);
    const source = replaceColumn(src, 'id', idCol);
    const cart = Int32Array.from([7, 9, 1]);
    const source2 = replaceColumn(source, 'add_to_cart_order', cart);
    const m = await merge(table, source2, { keys: ['id'] });
    expect(m).toMatchObject({ sourceRows: 2, rowsUpdated: 1, rowsInserted: 1, filesRemoved: 1, rowsCopied: 9 });
    expect(table.snapshot.files.size).toBe(filesBefore - 1 + m.filesAdded);
    const t = await table.toArrow();
    const rows = new Map<number, number>();
    for (let i = 0; i < t.numRows; i++) rows.set(Number(t.getChild('id')!.get(i)), Number(t.getChild('add_to_cart_order')!.get(i)));
    expect(t.numRows).toBe(21);
    expect(rows.get(3)).toBe(9);
    expect(rows.get(25)).toBe(1);
    const history = await table.history();
    expect(history[0]!.operation).toBe('MERGE');
    expect(history[0]!.operationMetrics).toMatchObject({ numTargetRowsUpdated: 1, numTargetRowsInserted: 1 });
    // Re-merging the same source changes no row.
    await merge(table, source2, { keys: ['id'] });
    expect(await ids(table)).toEqual([...range(0, 20), 25]);
  });

  test('delete by a partition predicate removes files; by a row predicate rewrites them', async () => {
    const table = await create();
    await write(table, orderItems(30, 0, { days: 3 }));
    const byPartition = await deleteWhere(table, { column: 'date', op: '=', value: '2025-04-01' });
    expect(byPartition).toMatchObject({ rowsDeleted: 10, filesRemoved: 1, filesAdded: 0 });
    const byRow = await deleteWhere(table, { column: 'id', op: '<', value: 10 });
    expect(byRow.rowsDeleted).toBe(6); // ids 1,2,4,5,7,8 remain below 10 after the first delete
    expect(await ids(table)).toEqual(range(10, 30).filter((i) => i % 3 !== 0));
    const nothing = await deleteWhere(table, { column: 'id', op: '>', value: 1000 });
    expect(nothing.filesRemoved).toBe(0);
  });

  test('optimize compacts small files per partition without changing rows (dataChange false)', async () => {
    const table = await create();
    for (let i = 0; i < 5; i++) await write(table, orderItems(6, i * 6, { days: 2 }));
    expect(table.snapshot.files.size).toBe(10);
    const m = await optimize(table, { targetSize: 64 * 1024 * 1024 });
    expect(m).toMatchObject({ filesRemoved: 10, filesAdded: 2, partitionsOptimized: 2, rowsRewritten: 30 });
    expect(table.snapshot.files.size).toBe(2);
    expect(await ids(table)).toEqual(range(0, 30));
    const last = await table.log.readCommit(m.version);
    expect(last.filter((a) => 'add' in a).every((a) => 'add' in a && a.add.dataChange === false)).toBe(true);
    expect((await optimize(table)).filesRemoved).toBe(0);
  });

  test('vacuum removes only unreferenced files older than the retention, with a dry run', async () => {
    const clock = fixedClock(Date.UTC(2025, 3, 1));
    const table = await create({}, clock);
    await write(table, orderItems(10, 0, { days: 1 }));
    await write(table, orderItems(10, 10, { days: 1 }), { mode: 'overwrite' }); // tombstones the first file
    await root.put('date=2025-04-01/orphan-from-a-crash.parquet', new Uint8Array([1, 2, 3]));
    const dataFiles = async () => (await keys(root)).filter((k) => !k.startsWith('_delta_log/'));
    expect(await dataFiles()).toHaveLength(3);
    // Too soon: nothing is old enough (the orphan's mtime is the real clock, so move our clock far ahead only later).
    expect((await vacuum(table)).files).toEqual([]);
    await expect(vacuum(table, { retentionHours: 1 })).rejects.toThrow(/shorter than the table/);
    clock.ms = Date.now() + 8 * 24 * 3600 * 1000;
    const dry = await vacuum(table, { dryRun: true });
    expect(dry.files.sort()).toHaveLength(2);
    expect(await dataFiles()).toHaveLength(3);
    const real = await vacuum(table);
    expect(real.files.sort()).toEqual(dry.files.sort());
    expect(await dataFiles()).toEqual([...table.snapshot.files.keys()]);
    expect(await ids(table)).toEqual(range(10, 20));
  });

  test('a checkpoint every 10 commits; the table loads from it even when older commits are gone', async () => {
    const table = await create();
    for (let i = 0; i < 12; i++) await write(table, orderItems(2, i * 2, { days: 1 }), { txn: { appId: 'app', version: i } });
    const log = new LogStore(root);
    expect(await log.readLastCheckpoint()).toMatchObject({ version: 10 });
    expect(await root.head('_delta_log/00000000000000000010.checkpoint.parquet')).toBeDefined();
    for (let v = 0; v < 10; v++) await root.delete(`_delta_log/${String(v).padStart(20, '0')}.json`);
    const reopened = await DeltaTable.open(root);
    expect(reopened.version).toBe(12);
    expect(await ids(reopened)).toEqual(range(0, 24));
    expect(reopened.snapshot.txns.get('app')?.version).toBe(11);
    expect(reopened.schema.fields.map((f) => f.name)).toEqual(ORDER_ITEMS_SCHEMA.fields.map((f) => f.name));
  });

  test('time travel by version and by timestamp; history newest first', async () => {
    const table = await DeltaTable.create(root, { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
    await write(table, orderItems(3, 0));
    await new Promise((r) => setTimeout(r, 1100));
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 1100));
    await write(table, orderItems(3, 3));
    expect(await ids(table, 1)).toEqual([0, 1, 2]);
    expect(await table.versionAt(between)).toBe(1);
    expect(await table.versionAt(Date.now() + 1000)).toBe(2);
    await expect(table.snapshotAt(7)).rejects.toThrow(/version 7 \(latest is 2\)/);
    const history = await table.history();
    expect(history.map((h) => [h.version, h.operation])).toEqual([[2, 'WRITE'], [1, 'WRITE'], [0, 'CREATE TABLE']]);
  });

  test('schema enforcement names the column; schemaMode merge adds a nullable column', async () => {
    const table = await create();
    await write(table, orderItems(3));
    const wrongType = orderItems(3).select(['id', 'order_id', 'product_id', 'order_timestamp', 'date']);
    const asFloat = replaceColumnData(wrongType, 'order_id', arrow.makeData({ type: new arrow.Float64(), length: 3, data: new Float64Array([1, 2, 3]) }));
    await expect(write(table, asFloat)).rejects.toThrow(SchemaEnforcementError);
    await expect(write(table, asFloat)).rejects.toThrow(/order_id/);
    const extra = addColumn(orderItems(2, 10), 'coupon', arrow.makeData({ type: new arrow.Utf8(), length: 2, valueOffsets: new Int32Array([0, 1, 2]), data: new TextEncoder().encode('ab') }));
    await expect(write(table, extra)).rejects.toThrow(/coupon is not in the table schema/);
    await write(table, extra, { schemaMode: 'merge' });
    const t = await table.toArrow();
    expect(t.schema.fields.at(-1)!.name).toBe('coupon');
    const coupons = new Map<number, unknown>();
    for (let i = 0; i < t.numRows; i++) coupons.set(Number(t.getChild('id')!.get(i)), t.getChild('coupon')!.get(i));
    expect(coupons.get(0)).toBeNull();
    expect(coupons.get(10)).toBe('a');
  });

  test('concurrent appends both commit; an overwrite that lost to an append in its partitions conflicts', async () => {
    const table = await create();
    await write(table, orderItems(3, 0));
    const a = await DeltaTable.open(root);
    const b = await DeltaTable.open(root);
    await Promise.all([write(a, orderItems(3, 10)), write(b, orderItems(3, 20))]);
    await table.refresh();
    expect(await ids(table)).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22]);
    // An overwrite that read version N, racing an append committed at N+1, must not silently drop the append.
    const { commit } = await import('../../etl/delta/transaction.js');
    const readVersion = table.version;
    await write(a, orderItems(1, 99));
    await expect(
      commit(table.log, {
        readVersion,
        actions: [],
        operation: 'WRITE',
        scope: { blindAppend: false, readPartitions: () => true, readFiles: new Set(), removedFiles: new Set() },
      }),
    ).rejects.toThrow(ConcurrentModificationError);
  });
});

function replaceColumnData(table: arrow.Table, name: string, data: arrow.Data): arrow.Table {
  const fields = table.schema.fields.map((f) => (f.name === name ? new arrow.Field(name, data.type, f.nullable) : f));
  const schema = new arrow.Schema(fields);
  const batch = table.batches[0]!;
  const children = table.schema.fields.map((f, i) => (f.name === name ? data : batch.data.children[i]!));
  return new arrow.Table([new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(fields), length: table.numRows, children, nullCount: 0 }))]);
}

function replaceColumn(table: arrow.Table, name: string, values: Int32Array): arrow.Table {
  return replaceColumnData(table, name, arrow.makeData({ type: new arrow.Int32(), length: values.length, data: values }));
}

function addColumn(table: arrow.Table, name: string, data: arrow.Data): arrow.Table {
  const fields = [...table.schema.fields, new arrow.Field(name, data.type, true)];
  const batch = table.batches[0]!;
  const children = [...batch.data.children, data];
  return new arrow.Table([new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: table.numRows, children, nullCount: 0 }))]);
}

function shiftDate(table: arrow.Table, days: number): arrow.Table {
  const batch = table.batches[0]!;
  const dateIdx = table.schema.fields.findIndex((f) => f.name === 'date');
  const tsIdx = table.schema.fields.findIndex((f) => f.name === 'order_timestamp');
  const d = Int32Array.from(batch.data.children[dateIdx]!.values as Int32Array, (v) => v + days);
  const ts = BigInt64Array.from(batch.data.children[tsIdx]!.values as unknown as BigInt64Array, (v) => v + BigInt(days) * 86_400_000_000n);
  const withDate = replaceColumnData(table, 'date', arrow.makeData({ type: new arrow.DateDay(), length: d.length, data: d }));
  return replaceColumnData(withDate, 'order_timestamp', arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: ts.length, data: ts as unknown as Int32Array }));
}
