/**
 * The query engine suite over Iceberg tables: the DuckDB engine resolves snapshots with etl/iceberg,
 * the embedded catalog serving as the metadata pointer store, on a local and an S3 (moto) warehouse.
 * Tables are registered the way the pipelines register them: by their first pointer swap only (the
 * catalog entry has no columns), so the columns must come from the Iceberg metadata.
 */
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { fixedClock } from '../../etl/clock.js';
import { NotFoundError } from '../../etl/errors.js';
import { IcebergTable, merge, write, type IcebergTableDefinition, type IcebergTableOptions } from '../../etl/iceberg/index.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { tableOf } from '../support/ecommerce-tables.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { STORE_KINDS, tempDir } from '../support/stores.js';

const DB = 'shop';
const ITEM_TYPES = ['integer', 'integer', 'integer', 'integer', 'integer', 'integer', 'integer', 'timestamp with time zone', 'date'];

describe.each(STORE_KINDS)('DuckDB engine over Iceberg tables in a $name warehouse', (kind) => {
  let warehouse: ObjectStore;
  let catalog: EmbeddedCatalog;
  let engine: DuckDbEngine;
  let cacheDir: string;

  /** Create an Iceberg table under processed/shop/<name>, partitioned by date unless said otherwise. */
  function createTable(name: string, definition: Partial<IcebergTableDefinition> = {}, options: IcebergTableOptions = {}): Promise<IcebergTable> {
    const store = new PrefixedStore(warehouse, `processed/${DB}/${name}`);
    return IcebergTable.create(store, catalog, `${DB}.${name}`, { schema: ORDER_ITEMS_SCHEMA, partitionBy: ['date'], identifierColumns: ['id'], ...definition }, options);
  }
  const count = async (from = `${DB}.items`) => (await engine.query(`SELECT count(*) AS n FROM ${from}`)).rows[0]!.n;
  const liveBytes = async (table: IcebergTable) => (await table.dataFiles()).reduce((s, f) => s + f.fileSizeInBytes, 0);

  beforeEach(async () => {
    warehouse = (await kind.fresh()).store;
    catalog = new EmbeddedCatalog(warehouse);
    await catalog.createDatabase(DB);
    cacheDir = join(tempDir('lakehouse-cache-'), 'cache');
    engine = await DuckDbEngine.open({ catalog, cacheDir, threads: 2 });
  });
  afterEach(async () => {
    await engine.close();
  });

  test('partitioned by date: rows come back typed, the partition column read from the files', async () => {
    const table = await createTable('items');
    await write(table, orderItems(60, 0, { days: 4 }));
    expect((await catalog.getTable(DB, 'items'))!.schema.fields).toEqual([]);
    expect((await table.dataFiles()).map((f) => f.key)).toEqual(expect.arrayContaining([expect.stringMatching(/^data\/date=2025-04-0[1-4]\//)]));
    const result = await engine.query(`SELECT * FROM ${DB}.items ORDER BY id`);
    expect(result.columns.map((c) => c.name)).toEqual(ORDER_ITEMS_SCHEMA.fields.map((f) => f.name));
    expect(result.columns.map((c) => c.type)).toEqual(ITEM_TYPES);
    const expected = await table.toArrow();
    expect(result.rows).toHaveLength(60);
    const byId = new Map(result.rows.map((r) => [r.id as number, r]));
    for (let i = 0; i < expected.numRows; i++) {
      const row = expected.get(i)!.toJSON() as Record<string, unknown>;
      const ours = byId.get(row.id as number)!;
      expect(ours.date).toBe(new Date(row.date as number).toISOString().slice(0, 10));
      expect((ours.order_timestamp as Date).getTime()).toBe(Number(row.order_timestamp));
      expect(ours.days_since_prior_order).toBe(row.days_since_prior_order ?? null);
      expect(ours.product_id).toBe(row.product_id);
    }
    const perDay = await engine.query(`SELECT "date", count(*) AS n FROM ${DB}.items GROUP BY 1 ORDER BY 1`);
    expect(perDay.rows).toEqual(['2025-04-01', '2025-04-02', '2025-04-03', '2025-04-04'].map((date) => ({ date, n: 15 })));
  });

  test('hidden partitioning: a day(order_timestamp) table reads its source column from the files', async () => {
    const table = await createTable('by_day', { partitionBy: [{ column: 'order_timestamp', transform: 'day' }] });
    await write(table, orderItems(30, 0, { days: 3 }));
    const days = await engine.query(`SELECT CAST(order_timestamp AS DATE) AS d, count(*) AS n, count(DISTINCT "date") AS dates FROM ${DB}.by_day GROUP BY 1 ORDER BY 1`);
    expect(days.rows).toEqual(['2025-04-01', '2025-04-02', '2025-04-03'].map((d) => ({ d, n: 10, dates: 1 })));
  });

  test('parameters are bound, never spliced into the SQL', async () => {
    await write(await createTable('items'), orderItems(40, 0, { days: 4 }));
    const q = `SELECT count(*) AS n FROM ${DB}.items WHERE "date" = CAST(? AS DATE) AND id >= ?`;
    expect((await engine.query(q, ['2025-04-02', 20])).rows).toEqual([{ n: 5 }]);
    expect((await engine.query(`SELECT count(*) AS n FROM ${DB}.items WHERE CAST(id AS VARCHAR) = ?`, ["1' OR '1'='1"])).rows).toEqual([{ n: 0 }]);
    const before = await engine.query(`SELECT count(*) AS n FROM ${DB}.items WHERE order_timestamp < ?`, [new Date('2025-04-02T00:00:00Z')]);
    expect(before.rows).toEqual([{ n: 10 }]);
  });

  test('a query sees every commit made before it: append, partition overwrite, table overwrite, upsert', async () => {
    const table = await createTable('items');
    await write(table, orderItems(10, 0, { days: 2 }));
    expect(await count()).toBe(10);
    await write(table, orderItems(7, 100, { days: 3 })); // 2 rows on 04-01, 3 on 04-02, 2 on 04-03
    expect(await count()).toBe(17);
    // Replaces the 04-01 partition (5 + 2 rows) with 3 rows.
    await write(table, orderItems(3, 200, { days: 1 }), { mode: 'overwrite' });
    const perDay = await engine.query(`SELECT "date", count(*) AS n FROM ${DB}.items GROUP BY 1 ORDER BY 1`);
    expect(perDay.rows).toEqual([{ date: '2025-04-01', n: 3 }, { date: '2025-04-02', n: 8 }, { date: '2025-04-03', n: 2 }]);
    // Upsert by id: 201 and 202 change, 203 and 204 are new.
    const source = orderItems(4, 201, { days: 1, seed: 99 });
    const m = await merge(table, source, { keys: ['id'] });
    expect(m).toMatchObject({ rowsUpdated: 2, rowsInserted: 2 });
    expect(await count()).toBe(15);
    const changed = await engine.query(`SELECT id, product_id, user_id FROM ${DB}.items WHERE id > 200 ORDER BY id`);
    const ids = [...source.getChild('id')!].map(Number);
    const products = [...source.getChild('product_id')!].map(Number);
    const users = [...source.getChild('user_id')!].map(Number);
    expect(changed.rows).toEqual(ids.map((id, i) => ({ id, product_id: products[i], user_id: users[i] })));
    await write(table, orderItems(4, 300, { days: 2 }), { mode: 'overwrite', overwrite: 'table' });
    expect((await engine.query(`SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM ${DB}.items`)).rows).toEqual([{ lo: 300, hi: 303, n: 4 }]);
  });

  test('time travel by sequence number and by timestamp', async () => {
    const clock = fixedClock(Date.UTC(2025, 4, 1));
    const table = await createTable('items', {}, { clock });
    clock.ms += 60_000;
    await write(table, orderItems(10, 0)); // sequence number 1
    const t1 = clock.ms;
    clock.ms += 60_000;
    await write(table, orderItems(5, 100)); // 2
    clock.ms += 60_000;
    await merge(table, orderItems(3, 8, { seed: 5 }), { keys: ['id'] }); // 3: ids 8, 9 updated, 10 inserted
    expect(table.history().map((h) => h.sequenceNumber)).toEqual([3, 2, 1]);

    const v1 = await engine.tableAt(`${DB}.items`, { version: 1 });
    expect(v1).toBe(`"${DB}"."items@v1"`);
    expect(await count(v1)).toBe(10);
    expect(await count(await engine.tableAt(`${DB}.items`, { version: 2 }))).toBe(15);
    expect(await count()).toBe(16);
    expect(await count(await engine.tableAt(`${DB}.items`, { version: 0 }))).toBe(0);
    // By time: the snapshot current then (a time between two commits picks the earlier one).
    expect(await engine.tableAt(`${DB}.items`, { timestamp: new Date(t1 + 30_000) })).toBe(`"${DB}"."items@v1"`);
    expect(await engine.tableAt(`${DB}.items`, { timestamp: new Date(clock.ms + 3_600_000) })).toBe(`"${DB}"."items@v3"`);
    // After creation, before the first snapshot: the table as created, empty.
    expect(await engine.tableAt(`${DB}.items`, { timestamp: new Date(t1 - 30_000) })).toBe(`"${DB}"."items@v0"`);
    await expect(engine.tableAt(`${DB}.items`, { timestamp: new Date(Date.UTC(2025, 3, 1)) })).rejects.toBeInstanceOf(NotFoundError);
    await expect(engine.tableAt(`${DB}.items`, { version: 9 })).rejects.toThrow(/version 9/);
    await expect(engine.tableAt(`${DB}.nope`, { version: 0 })).rejects.toBeInstanceOf(NotFoundError);
    // A pinned view keeps its snapshot after later commits.
    await write(table, orderItems(2, 500));
    expect(await count(v1)).toBe(10);
    expect(await count()).toBe(18);
  });

  test('an empty table is a typed, empty view at version 0', async () => {
    await createTable('items');
    const result = await engine.query(`SELECT * FROM ${DB}.items`);
    expect(result.rows).toEqual([]);
    expect(result.columns.map((c) => c.type)).toEqual(ITEM_TYPES);
    expect((await engine.query(`SELECT sum(id) AS s FROM ${DB}.items`)).rows).toEqual([{ s: null }]);
    expect(await engine.tableAt(`${DB}.items`, { version: 0 })).toBe(`"${DB}"."items@v0"`);
    expect(await engine.tableAt(`${DB}.items`, { timestamp: new Date(Date.now() + 60_000) })).toBe(`"${DB}"."items@v0"`);
    await expect(engine.tableAt(`${DB}.items`, { version: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('a table registered without a pointer yet is not found; a dropped and re-created one is read afresh', async () => {
    await catalog.registerTable({ database: DB, name: 'items', format: 'iceberg', location: warehouse.uriOf(`processed/${DB}/items`), schema: ORDER_ITEMS_SCHEMA, partitionKeys: ['date'] });
    await expect(engine.query(`SELECT count(*) AS n FROM ${DB}.items`)).rejects.toBeInstanceOf(NotFoundError);
    await write(await createTable('items'), orderItems(6));
    expect(await count()).toBe(6);
    await catalog.dropTable(DB, 'items');
    // Same identifier and location, another table (a new uuid): the engine's open handle must not be reused.
    const again = await createTable('items');
    await write(again, orderItems(4, 50));
    expect((await engine.query(`SELECT min(id) AS lo, count(*) AS n FROM ${DB}.items`)).rows).toEqual([{ lo: 50, n: 4 }]);
  });

  test(`statistics and data files: ${kind.name === 's3' ? 'fetched once into the local cache' : 'read in place'}`, async () => {
    const table = await createTable('items');
    await write(table, orderItems(30, 0, { days: 3 }));
    const files = (await table.dataFiles()).length;
    expect(files).toBe(3);
    const result = await engine.query(`SELECT "date", count(*) AS n FROM ${DB}.items GROUP BY 1`);
    expect(result.stats.rows).toBe(3);
    expect(result.stats.bytesScanned).toBe(await liveBytes(table));
    await engine.query(`SELECT count(*) FROM ${DB}.items WHERE id > ?`, [3]);
    expect(engine.cache.stats.downloads).toBe(kind.name === 's3' ? files : 0);
  });
});

test('null and quoted identity partition values: reading by column name gives the rows the field-id reader gives', async () => {
  const { store } = await STORE_KINDS[0]!.fresh();
  const catalog = new EmbeddedCatalog(store);
  await catalog.createDatabase(DB);
  const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int64(), false), new arrow.Field('city', new arrow.Utf8(), true)]);
  const table = await IcebergTable.create(new PrefixedStore(store, 'processed/shop/cities'), catalog, `${DB}.cities`, { schema, partitionBy: ['city'] });
  await write(table, tableOf(schema, [[1n, 2n, 3n], ["O'Hare", null, 'Paris']]));
  const engine = await DuckDbEngine.open({ catalog, cacheDir: tempDir() });
  try {
    const ours = (await engine.query(`SELECT id, city FROM ${DB}.cities ORDER BY id`)).rows;
    const theirs = (await table.toArrow()).toArray().map((r) => ({ id: Number(r.id), city: r.city as string | null })).sort((a, b) => a.id - b.id);
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([{ id: 1, city: "O'Hare" }, { id: 2, city: null }, { id: 3, city: 'Paris' }]);
  } finally {
    await engine.close();
  }
});
