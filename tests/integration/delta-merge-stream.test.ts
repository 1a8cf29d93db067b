/**
 * The streaming merge: the source goes straight into new files while a key index records where each
 * key's row went; a later source row of a key drops the earlier one from the file it was written to
 * (across batches, partitions and rolled files); target files are rewritten only when they hold a key.
 */
import * as arrow from 'apache-arrow';
import { DeltaTable, merge, write } from '../../etl/delta/index.js';
import { MemoryStore } from '../support/memory-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';

/** `table` with column `name` replaced by `values`. */
function withInts(table: arrow.Table, name: string, values: Int32Array): arrow.Table {
  const batch = table.batches[0]!;
  const fields = table.schema.fields;
  const children = fields.map((f, i) => (f.name === name ? arrow.makeData({ type: f.type as arrow.Int32, length: values.length, data: values }) : batch.data.children[i]!));
  return new arrow.Table([new arrow.RecordBatch(table.schema, arrow.makeData({ type: new arrow.Struct(fields), length: table.numRows, children, nullCount: 0 }))]);
}

/** id -> [add_to_cart_order, date] of every row; fails on a repeated id. */
async function rowsOf(table: DeltaTable): Promise<Map<number, [number, number]>> {
  const t = await table.toArrow();
  const out = new Map<number, [number, number]>();
  for (let i = 0; i < t.numRows; i++) {
    const id = Number(t.getChild('id')!.get(i));
    if (out.has(id)) throw new Error(`id ${id} twice`);
    const d = t.getChild('date')!.get(i) as number | Date;
    out.set(id, [Number(t.getChild('add_to_cart_order')!.get(i)), Math.floor(Number(d instanceof Date ? d.getTime() : d) / 86_400_000)]);
  }
  return out;
}

describe.each([
  { name: 'int key', keys: ['id'] },
  { name: 'composite key', keys: ['id', 'order_id'] },
])('streaming merge ($name)', ({ keys }) => {
  test('later source rows win across batches, partitions and rolled files; only matched target files are rewritten', async () => {
    const store = new MemoryStore();
    const table = await DeltaTable.create(store, { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] }, { files: { targetFileSize: 2048 } });
    await write(table, orderItems(200, 0, { days: 4 }));
    await write(table, orderItems(100, 1000, { days: 4 })); // never matched
    const expected = await rowsOf(table);
    const untouched = [...table.snapshot.files.values()].filter((f) => (JSON.parse(f.stats!) as { minValues: { id: number } }).minValues.id >= 1000).map((f) => f.path);

    // Ten batches of 50 rows starting 30 apart (ids overlap), cart = batch number + 100; odd batches move rows one day on.
    const batches: arrow.RecordBatch[] = [];
    for (let b = 0; b < 10; b++) {
      const base = orderItems(50, 150 + b * 30, { days: 4, seed: b });
      const shifted = b % 2 === 1 ? withInts(base, 'date', Int32Array.from(base.batches[0]!.data.children[8]!.values as Int32Array, (d) => d + 1)) : base;
      batches.push(withInts(shifted, 'add_to_cart_order', new Int32Array(50).fill(100 + b)).batches[0]!);
      for (let i = 0; i < 50; i++) {
        const id = 150 + b * 30 + i;
        expected.set(id, [100 + b, (shifted.batches[0]!.data.children[8]!.values as Int32Array)[i]!]);
      }
    }
    const m = await merge(table, batches, { keys });
    expect(m.sourceRows).toBe(50 + 9 * 30);
    expect(m.rowsUpdated).toBe(50);
    expect(await rowsOf(table)).toEqual(expected);
    const paths = new Set(table.snapshot.files.keys());
    for (const p of untouched) expect(paths.has(p)).toBe(true);
    // No file left behind: every data file in the store is in the snapshot.
    const stored: string[] = [];
    for await (const o of store.list('')) if (o.key.endsWith('.parquet')) stored.push(o.key);
    const live = new Set([...table.snapshot.files.values()].map((f) => decodeURIComponent(f.path)));
    const removedNow = stored.filter((k) => !live.has(k));
    expect(removedNow.length).toBe(m.filesRemoved);
  });
});

test('sliced source batches (values buffers re-based by Arrow) partition, prune and merge by their own rows', async () => {
  const store = new MemoryStore();
  const table = await DeltaTable.create(store, { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
  const source = orderItems(400, 0, { days: 4 }).batches[0]!;
  // Append rows 100..199 from a slice, then merge rows 150..299 from another slice.
  await write(table, source.slice(100, 200));
  const before = await rowsOf(table);
  expect([...before.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => Number(source.getChild('id')!.get(100 + i))).sort((a, b) => a - b));
  await merge(table, source.slice(150, 300), { keys: ['id'], sourceUnique: true });
  const after = await rowsOf(table);
  const expected = new Map<number, [number, number]>();
  for (let i = 100; i < 300; i++) {
    const d = source.getChild('date')!.get(i) as number | Date;
    expected.set(Number(source.getChild('id')!.get(i)), [Number(source.getChild('add_to_cart_order')!.get(i)), Math.floor(Number(d instanceof Date ? d.getTime() : d) / 86_400_000)]);
  }
  expect(after).toEqual(expected);
  // Every file sits in the partition of its rows.
  for (const add of table.snapshot.files.values()) {
    const day = decodeURIComponent(add.path).match(/date=(\d{4}-\d{2}-\d{2})/)![1]!;
    expect(add.partitionValues.date).toBe(day);
  }
});

test('a source declared unique that repeats a key fails the merge and commits nothing', async () => {
  const store = new MemoryStore();
  const table = await DeltaTable.create(store, { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
  const rows = orderItems(50, 0, { days: 2 });
  const twice = new arrow.Table([...rows.batches, ...rows.slice(10, 11).batches]);
  await expect(merge(table, twice, { keys: ['id'], sourceUnique: true })).rejects.toThrow(/declared unique/);
  await table.refresh();
  expect(table.version).toBe(0);
  expect([...store.keys()].filter((k) => k.endsWith('.parquet'))).toEqual([]);
});
