/**
 * Interop with the reference implementation: pyiceberg reads every kind of Iceberg table we write
 * (partitioned by identity and day, after overwrite, merge, delete, compaction and expiry; local and S3)
 * with the same rows, schema, partition spec and snapshot history, and prunes files with our bounds to
 * the same filtered rows; we read tables pyiceberg wrote (and keep writing to them).
 */
import * as arrow from 'apache-arrow';
import { fixedClock } from '../../etl/clock.js';
import {
  deleteWhere,
  expireSnapshots,
  IcebergTable,
  merge,
  optimize,
  removeOrphanFiles,
  write,
} from '../../etl/iceberg/index.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { canonicalRows } from '../support/canonical.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { FixedPointerStore, ObjectStorePointerStore } from '../support/iceberg-pointer-store.js';
import { runPython } from '../support/python.js';
import { STORE_KINDS, tempDir } from '../support/stores.js';

interface PyIcebergView {
  format_version: number;
  current_snapshot_id: string | null;
  snapshot_id: string | null;
  schema: { id: number; name: string; type: string; required: boolean }[];
  partition_spec: { field_id: number; source_id: number; name: string; transform: string }[];
  num_rows: number;
  arrow_schema: { name: string; type: string }[];
  files: { path: string; record_count: number; partition: string[] }[];
  rows: Record<string, string | null>[];
  snapshots: { snapshot_id: string; parent_snapshot_id: string | null; sequence_number: number; operation: string; summary: Record<string, string> }[];
  history: { snapshot_id: string; timestamp_ms: number }[];
}

interface PyIcebergWrite extends PyIcebergView {
  metadata_location: string;
  location: string;
}

/** Compare pyiceberg's view of our table (at a snapshot, or current) with our own reader's. */
async function compare(table: IcebergTable, snapshotId?: bigint): Promise<PyIcebergView> {
  const args = ['read', table.metadataLocation, ...(snapshotId !== undefined ? ['--snapshot-id', String(snapshotId)] : [])];
  const theirs = await runPython<PyIcebergView>('iceberg_tool.py', args);
  const ours = await table.toArrow({ snapshotId });
  const snapshot = table.snapshotAt({ snapshotId });
  expect(theirs.format_version).toBe(2);
  expect(theirs.current_snapshot_id).toBe(table.currentSnapshot ? String(table.currentSnapshot['snapshot-id']) : null);
  expect(theirs.snapshot_id).toBe(snapshot ? String(snapshot['snapshot-id']) : null);
  expect(theirs.schema).toEqual(table.icebergSchema.fields.map((f) => ({ id: f.id, name: f.name, type: f.type, required: f.required })));
  expect(theirs.partition_spec.map((f) => [f.field_id, f.source_id, f.name, f.transform])).toEqual(
    table.spec.fields.map((f) => [f['field-id'], f['source-id'], f.name, f.transform]),
  );
  expect(theirs.num_rows).toBe(ours.numRows);
  expect(theirs.rows).toEqual(canonicalRows(ours));
  // Same files with the same record counts.
  const files = await table.dataFiles(snapshot);
  expect(theirs.files.map((f) => [f.path, f.record_count])).toEqual(files.map((f) => [f.uri, f.recordCount]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
  // Same snapshots (ids, parents, sequence numbers, operations, summaries) and history.
  expect(theirs.snapshots).toEqual(
    table.metadata.snapshots.map((s) => {
      const { operation, ...rest } = s.summary;
      return {
        snapshot_id: String(s['snapshot-id']),
        parent_snapshot_id: s['parent-snapshot-id'] === undefined ? null : String(s['parent-snapshot-id']),
        sequence_number: s['sequence-number'],
        operation,
        summary: rest,
      };
    }),
  );
  expect(theirs.history).toEqual(table.metadata['snapshot-log'].map((h) => ({ snapshot_id: String(h['snapshot-id']), timestamp_ms: h['timestamp-ms'] })));
  return theirs;
}

/** pyiceberg's row count with a row filter (it prunes files with our partition values and bounds). */
async function filteredCount(table: IcebergTable, filter: string): Promise<number> {
  const view = await runPython<PyIcebergView>('iceberg_tool.py', ['read', table.metadataLocation, '--count-only', '--row-filter', filter]);
  return view.num_rows;
}

describe.each(STORE_KINDS)('pyiceberg reads our tables on $name', (kind) => {
  let warehouse: Awaited<ReturnType<typeof kind.fresh>>;
  let table: IcebergTable;
  beforeEach(async () => {
    warehouse = await kind.fresh();
    table = await IcebergTable.create(
      new PrefixedStore(warehouse.store, 'processed/ecommerce/order_items'),
      new ObjectStorePointerStore(warehouse.store),
      'ecommerce.order_items',
      { schema: ORDER_ITEMS_SCHEMA, partitionBy: ['date', { column: 'order_timestamp', transform: 'day' }] },
      { clock: fixedClock(Date.UTC(2025, 4, 1)) },
    );
  });

  test('partitioned appends: schema, types, partition spec, rows, history, time travel, bounds-based pruning', async () => {
    await write(table, orderItems(50, 0, { days: 5 }));
    const first = table.currentSnapshot!['snapshot-id'];
    await write(table, orderItems(50, 50, { days: 5 }));
    const view = await compare(table);
    expect(Object.fromEntries(view.arrow_schema.map((f) => [f.name, f.type]))).toMatchObject({
      id: 'int32',
      order_timestamp: 'timestamp[us, tz=UTC]',
      date: 'date32[day]',
    });
    expect(view.schema.map((f) => f.type)).toEqual(['int', 'int', 'int', 'int', 'int', 'int', 'int', 'timestamptz', 'date']);
    expect(view.files).toHaveLength(10);
    await compare(table, first);
    // pyiceberg's filters prune with our partition tuples and bounds; wrong bounds would lose rows.
    const rows = await table.toArrow();
    const count = (pred: (r: Record<string, unknown>) => boolean) => [...rows].filter((r) => pred(r.toJSON() as Record<string, unknown>)).length;
    expect(await filteredCount(table, 'id >= 37 and id < 61')).toBe(24);
    expect(await filteredCount(table, "date = '2025-04-03'")).toBe(count((r) => new Date(r.date as number).toISOString().startsWith('2025-04-03')));
    const cut = Date.UTC(2025, 3, 2, 12);
    expect(await filteredCount(table, `order_timestamp >= '${new Date(cut).toISOString().replace('Z', '+00:00')}'`)).toBe(count((r) => (r.order_timestamp as number) >= cut));
    expect(await filteredCount(table, 'days_since_prior_order is null')).toBe(count((r) => r.days_since_prior_order === null));
  });

  test('after overwrite, merge, delete, compaction, expiry and orphan removal', async () => {
    for (let i = 0; i < 4; i++) await write(table, orderItems(12, i * 12, { days: 3 }));
    await write(table, orderItems(4, 500, { days: 1 }), { mode: 'overwrite' });
    await compare(table);
    await merge(table, orderItems(10, 40, { days: 3, seed: 77 }), { keys: ['id'] });
    await deleteWhere(table, { column: 'id', op: '<', value: 7 });
    await compare(table);
    const compacted = await optimize(table);
    expect(compacted.filesRemoved).toBeGreaterThan(compacted.filesAdded);
    await compare(table);
    const later = await IcebergTable.open(table.store, table.pointers, table.identifier, { clock: fixedClock(Date.now() + 10 * 86_400_000) });
    const expired = await expireSnapshots(later, { retainLast: 2 });
    expect(expired.expiredSnapshotIds.length).toBe(6);
    expect(expired.deletedDataFiles.length).toBeGreaterThan(0);
    await removeOrphanFiles(later);
    const view = await compare(later);
    expect(view.snapshots).toHaveLength(2);
    expect(view.history).toHaveLength(2);
  });
});

test('a table partitioned by a string (spaces, emoji, null) with long strings (truncated bounds), doubles, booleans, longs', async () => {
  const { store } = await STORE_KINDS[0]!.fresh();
  const schema = new arrow.Schema([
    new arrow.Field('product_id', new arrow.Int64(), false),
    new arrow.Field('department', new arrow.Utf8(), true),
    new arrow.Field('price', new arrow.Float64(), true),
    new arrow.Field('active', new arrow.Bool(), true),
    new arrow.Field('seen', new arrow.TimestampMicrosecond(), true),
  ]);
  const table = await IcebergTable.create(store, new ObjectStorePointerStore(store), 'shop.products', { schema, partitionBy: ['department'] });
  const long = 'international specialties and imports';
  const columns = [
    arrow.vectorFromArray([1n, 2n, 3n, 9_007_199_254_740_993n], new arrow.Int64()),
    arrow.vectorFromArray(['frozen', null, long, `${long} \u{1F600}`], new arrow.Utf8()),
    arrow.vectorFromArray([1.5, 2.25, 3, 0], new arrow.Float64()),
    arrow.vectorFromArray([true, false, null, true], new arrow.Bool()),
    arrow.vectorFromArray([1_700_000_000_000, null, 0, 1], new arrow.TimestampMicrosecond()),
  ];
  const data = new arrow.Table([
    new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: 4, nullCount: 0, children: columns.map((c) => c.data[0]!) })),
  ]);
  await write(table, data);
  const view = await compare(table);
  expect(view.schema.map((f) => f.type)).toEqual(['long', 'string', 'double', 'boolean', 'timestamp']);
  expect(view.files.map((f) => f.partition[0]).sort()).toEqual(['None', 'frozen', long, `${long} \u{1F600}`].sort());
  // String bounds are truncated to 16 code points; the upper one incremented, or these rows would be pruned.
  expect(await filteredCount(table, `department = '${long}'`)).toBe(1);
  expect(await filteredCount(table, `department = '${long} \u{1F600}'`)).toBe(1);
  expect(await filteredCount(table, `department > '${long}'`)).toBe(1);
  expect(await filteredCount(table, "department < 'a'")).toBe(0);
  expect(await filteredCount(table, 'product_id = 9007199254740993')).toBe(1);
});

describe('we read tables pyiceberg wrote', () => {
  test.each([
    ['identity partition, appends only', ['--commits', '4']],
    ['identity partition, with an overwrite and a delete', ['--commits', '3', '--overwrite', '--delete-below', '3']],
    ['unpartitioned, with a delete', ['--commits', '3', '--partition', 'none', '--delete-below', '4']],
  ])('%s', async (_name, extra) => {
    const dir = tempDir('pyiceberg-wh-');
    const theirs = await runPython<PyIcebergWrite>('iceberg_tool.py', ['write', dir, ...extra]);
    const store = openStore(theirs.location);
    const table = await IcebergTable.open(store, new FixedPointerStore(theirs.metadata_location), 'db.events');
    expect(String(table.currentSnapshot!['snapshot-id'])).toBe(theirs.current_snapshot_id);
    expect(table.icebergSchema.fields.map((f) => ({ id: f.id, name: f.name, type: f.type, required: f.required }))).toEqual(theirs.schema);
    expect(canonicalRows(await table.toArrow())).toEqual(theirs.rows);
    expect(table.history().map((h) => String(h.snapshotId)).reverse()).toEqual(theirs.history.map((h) => h.snapshot_id));
    expect(table.metadata.snapshots.map((s) => [String(s['snapshot-id']), s['sequence-number'], s.summary.operation])).toEqual(
      theirs.snapshots.map((s) => [s.snapshot_id, s.sequence_number, s.operation]),
    );
    // Time travel to every snapshot of theirs gives what pyiceberg reads there.
    for (const s of theirs.snapshots) {
      const at = await runPython<PyIcebergView>('iceberg_tool.py', ['read', theirs.metadata_location, '--snapshot-id', s.snapshot_id]);
      expect(canonicalRows(await table.toArrow({ snapshotId: BigInt(s.snapshot_id) }))).toEqual(at.rows);
    }
    expect((await table.dataFiles()).map((f) => f.recordCount).reduce((a, b) => a + b, 0)).toBe(theirs.num_rows);

    // And we keep writing to it (through our own pointer register): pyiceberg reads our commits on top of its own.
    const pointers = new ObjectStorePointerStore(openStore(dir));
    await pointers.swap('db.events', undefined, theirs.metadata_location);
    const ours = await IcebergTable.open(store, pointers, 'db.events');
    const day = Date.UTC(2025, 3, 2) / 86_400_000;
    const schema = ours.schema;
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
    await write(ours, [batch]);
    await merge(ours, [batch], { keys: ['id'] });
    await deleteWhere(ours, { column: 'id', op: '=', value: theirs.rows.length ? Number(theirs.rows[0]!.id) : -1 });
    const after = await compare(ours);
    expect(after.rows.filter((r) => r.id === '100')).toHaveLength(1);
    expect(after.num_rows).toBe(theirs.num_rows);
  });
});
