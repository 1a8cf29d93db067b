/**
 * Interop with the reference implementation: delta-rs (Python `deltalake`) reads every kind of table
 * we write with the same rows, schema, partition values and version history; we read tables it wrote.
 */
import * as arrow from 'apache-arrow';
import { fixedClock } from '../../etl/clock.js';
import { DeltaTable, deleteWhere, merge, optimize, vacuum, write } from '../../etl/delta/index.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { canonicalRows } from '../support/canonical.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { runPython } from '../support/python.js';
import { STORE_KINDS } from '../support/stores.js';

interface DeltaRsView {
  version: number;
  partition_columns: string[];
  schema: { name: string; type: string; nullable: boolean }[];
  num_rows: number;
  files: string[];
  rows: Record<string, string | null>[];
  history: { version: number; operation: string }[];
}

async function compare(table: DeltaTable, uri: string, version?: number): Promise<DeltaRsView> {
  const args = ['read', uri, ...(version !== undefined ? ['--version', String(version)] : [])];
  const theirs = await runPython<DeltaRsView>('delta_tool.py', args);
  const ours = await table.toArrow({ version });
  expect(theirs.version).toBe(version ?? table.version);
  expect(theirs.num_rows).toBe(ours.numRows);
  expect(theirs.partition_columns).toEqual(table.snapshot.partitionColumns);
  expect(theirs.schema.map((f) => f.name).sort()).toEqual(ours.schema.fields.map((f) => f.name).sort());
  expect(theirs.rows).toEqual(canonicalRows(ours));
  expect(theirs.files).toHaveLength((await table.snapshotAt(version)).files.size);
  if (version === undefined) {
    // The same version history, operation by operation.
    const ours = (await table.history()).map((h) => [h.version, h.operation]);
    expect(theirs.history.map((h) => [h.version, h.operation])).toEqual(ours);
  }
  return theirs;
}

describe.each(STORE_KINDS)('delta-rs reads our tables on $name', (kind) => {
  let uri: string;
  let table: DeltaTable;
  beforeEach(async () => {
    const fresh = await kind.fresh();
    uri = `${fresh.uri.replace(/\/$/, '')}/orders_items`;
    table = await DeltaTable.create(new PrefixedStore(fresh.store, 'orders_items'), { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
  });

  test('partitioned appends, with the same types, partition values and history', async () => {
    await write(table, orderItems(50, 0, { days: 5 }));
    await write(table, orderItems(50, 50, { days: 5 }));
    const view = await compare(table, uri);
    expect(Object.fromEntries(view.schema.map((f) => [f.name, f.type]))).toMatchObject({
      id: 'int32',
      order_timestamp: 'timestamp[us, tz=UTC]',
      date: 'date32[day]',
    });
    expect(view.history.map((h) => h.version).sort()).toEqual([0, 1, 2]);
    await compare(table, uri, 1);
  });

  test('after merge, delete, optimize, a checkpoint and vacuum', async () => {
    for (let i = 0; i < 9; i++) await write(table, orderItems(10, i * 10, { days: 3 }));
    await merge(table, orderItems(20, 80, { days: 3, seed: 99 }), { keys: ['id'] }); // version 10: checkpoint
    expect(await table.store.head('_delta_log/00000000000000000010.checkpoint.parquet')).toBeDefined();
    await compare(table, uri);
    await deleteWhere(table, { column: 'id', op: '<', value: 15 });
    await optimize(table);
    await compare(table, uri);
    const clock = fixedClock(Date.now() + 8 * 86_400_000);
    const later = await DeltaTable.open(table.store, { clock });
    const vacuumed = await vacuum(later);
    expect(vacuumed.files.length).toBeGreaterThan(0);
    await compare(later, uri);
  });
});

test('an unpartitioned table with nulls and strings', async () => {
  const { store, uri } = await STORE_KINDS[0]!.fresh();
  const schema = new arrow.Schema([
    new arrow.Field('product_id', new arrow.Int32(), false),
    new arrow.Field('department', new arrow.Utf8(), true),
    new arrow.Field('price', new arrow.Float64(), true),
    new arrow.Field('active', new arrow.Bool(), true),
  ]);
  const table = await DeltaTable.create(store, { schema });
  const data = arrow.tableFromArrays({
    product_id: Int32Array.from([1, 2, 3]),
    department: ['frozen', null, 'dairy eggs'],
    price: Float64Array.from([1.5, 2.25, 3]),
    active: [true, false, null],
  } as never);
  await write(table, new arrow.Table(schema, data.batches.map((b) => new arrow.RecordBatch(schema, b.data))) as never);
  await compare(table, uri);
});

describe('we read tables delta-rs wrote', () => {
  test.each([
    ['JSON commits only', []],
    ['with a checkpoint and a delete', ['--checkpoint', '--delete-where', 'id < 3']],
  ])('%s', async (_name, extra) => {
    const { store, uri } = await STORE_KINDS[0]!.fresh();
    await runPython('delta_tool.py', ['write', uri, '--commits', '4', ...extra]);
    const theirs = await runPython<DeltaRsView>('delta_tool.py', ['read', uri]);
    const table = await DeltaTable.open(store);
    expect(table.version).toBe(theirs.version);
    expect(table.snapshot.partitionColumns).toEqual(['date']);
    expect(canonicalRows(await table.toArrow())).toEqual(theirs.rows);
    // And we can keep writing to it: delta-rs then sees our commit on top of its own.
    const schema = table.schema;
    const day = Date.UTC(2025, 3, 9) / 86_400_000;
    const batch = new arrow.RecordBatch(
      schema,
      arrow.makeData({
        type: new arrow.Struct(schema.fields),
        length: 1,
        nullCount: 0,
        children: [
          arrow.makeData({ type: new arrow.Int64(), length: 1, data: BigInt64Array.from([100n]) as never }),
          arrow.makeData({ type: new arrow.Utf8(), length: 1, valueOffsets: Int32Array.from([0, 3]), data: new TextEncoder().encode('new') }),
          arrow.makeData({ type: new arrow.Float64(), length: 1, data: Float64Array.from([9.5]) }),
          arrow.makeData({ type: new arrow.TimestampMicrosecond('UTC'), length: 1, data: BigInt64Array.from([BigInt(day) * 86_400_000_000n]) as never }),
          arrow.makeData({ type: new arrow.DateDay(), length: 1, data: Int32Array.from([day]) }),
        ],
      }),
    );
    await write(table, batch);
    const after = await runPython<DeltaRsView>('delta_tool.py', ['read', uri]);
    expect(after.version).toBe(theirs.version + 1);
    expect(after.num_rows).toBe(theirs.num_rows + 1);
    expect(after.rows).toContainEqual({ id: '100', name: 'new', amount: '9.5', ts: String(BigInt(day) * 86_400_000_000n), date: '2025-04-09' });
  });
});
