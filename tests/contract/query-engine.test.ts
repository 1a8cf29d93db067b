/**
 * The query engine behaviour suite. DuckDB is the engine that runs SQL in CI (moto runs none; the
 * Athena engine is covered by tests/unit/athena-engine.test.ts and tests/integration/athena-moto.test.ts),
 * over both warehouse kinds: a local folder (files read in place) and S3 on moto (files fetched
 * through our ObjectStore into the local cache).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { DeltaTable, write } from '../../etl/delta/index.js';
import { NotFoundError } from '../../etl/errors.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { QueryCancelledError, QueryFailedError, QueryTimeoutError } from '../../catalog/errors.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { tableOf } from '../support/ecommerce-tables.js';
import { STORE_KINDS, tempDir } from '../support/stores.js';

const DB = 'shop';

describe.each(STORE_KINDS)('DuckDB engine over a $name warehouse', (kind) => {
  let warehouse: ObjectStore;
  let catalog: EmbeddedCatalog;
  let engine: DuckDbEngine;
  let cacheDir: string;

  /** Create a Delta table under processed/shop/<name> and register it. */
  async function createTable(name: string, schema: arrow.Schema, partitionColumns: string[], rows?: arrow.Table): Promise<DeltaTable> {
    const key = `processed/${DB}/${name}`;
    const table = await DeltaTable.create(new PrefixedStore(warehouse, key), { schema, partitionColumns });
    if (rows) await write(table, rows);
    await catalog.registerTable({ database: DB, name, format: 'delta', location: warehouse.uriOf(key), schema, partitionKeys: partitionColumns });
    return table;
  }

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

  test('rows come back typed, with partition columns as typed columns', async () => {
    const table = await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(60, 0, { days: 4 }));
    const result = await engine.query(`SELECT * FROM ${DB}.items ORDER BY id`);
    expect(result.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['order_id', 'integer'],
      ['user_id', 'integer'],
      ['days_since_prior_order', 'integer'],
      ['product_id', 'integer'],
      ['add_to_cart_order', 'integer'],
      ['reordered', 'integer'],
      ['order_timestamp', 'timestamp with time zone'],
      ['date', 'date'],
    ]);
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
    expect(perDay.rows).toEqual([
      { date: '2025-04-01', n: 15 },
      { date: '2025-04-02', n: 15 },
      { date: '2025-04-03', n: 15 },
      { date: '2025-04-04', n: 15 },
    ]);
  });

  test('parameters are bound, never spliced into the SQL', async () => {
    await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(40, 0, { days: 4 }));
    const q = `SELECT count(*) AS n FROM ${DB}.items WHERE "date" = CAST(? AS DATE) AND id >= ?`;
    expect((await engine.query(q, ['2025-04-02', 20])).rows).toEqual([{ n: 5 }]);
    expect((await engine.query(`SELECT count(*) AS n FROM ${DB}.items WHERE CAST(id AS VARCHAR) = ?`, ["1' OR '1'='1"])).rows).toEqual([{ n: 0 }]);
    const echo = await engine.query('SELECT ? AS s, ? AS b, ? AS t, ? AS n, ? AS big', ["it's", true, new Date('2025-04-01T10:00:00.123Z'), null, 2n ** 60n]);
    expect(echo.rows).toEqual([{ s: "it's", b: true, t: new Date('2025-04-01T10:00:00.123Z'), n: null, big: 2n ** 60n }]);
    const before = await engine.query(`SELECT count(*) AS n FROM ${DB}.items WHERE order_timestamp < ?`, [new Date('2025-04-02T00:00:00Z')]);
    expect(before.rows).toEqual([{ n: 10 }]);
  });

  test('a query sees every commit made before it', async () => {
    const table = await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(10, 0, { days: 2 }));
    const count = async () => (await engine.query(`SELECT count(*) AS n FROM ${DB}.items`)).rows[0]!.n;
    expect(await count()).toBe(10);
    await write(table, orderItems(7, 100, { days: 3 }));
    expect(await count()).toBe(17);
    await write(table, orderItems(3, 200, { days: 1 }), { mode: 'overwrite' });
    expect(await count()).toBe(3);
  });

  test('concurrent queries each see the commits made before them', async () => {
    const table = await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(10, 0, { days: 2 }));
    const q = `SELECT count(*) AS n FROM ${DB}.items WHERE id >= ?`;
    expect((await Promise.all([0, 0, 5].map((min) => engine.query(q, [min])))).map((r) => r.rows[0]!.n)).toEqual([10, 10, 5]);
    await write(table, orderItems(10, 100, { days: 2 }));
    const counts = await Promise.all(Array.from({ length: 6 }, () => engine.query(q, [0])));
    expect(counts.map((r) => r.rows[0]!.n)).toEqual([20, 20, 20, 20, 20, 20]);
  });

  test('time travel: a view of the table at a version or a time', async () => {
    const table = await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(10, 0));
    await write(table, orderItems(5, 100));
    const v1 = await engine.tableAt(`${DB}.items`, { version: 1 });
    expect(v1).toBe(`"${DB}"."items@v1"`);
    expect((await engine.query(`SELECT count(*) AS n FROM ${v1}`)).rows).toEqual([{ n: 10 }]);
    expect((await engine.query(`SELECT count(*) AS n FROM ${DB}.items`)).rows).toEqual([{ n: 15 }]);
    const v0 = await engine.tableAt(`${DB}.items`, { version: 0 });
    expect((await engine.query(`SELECT count(*) AS n FROM ${v0}`)).rows).toEqual([{ n: 0 }]);
    const now = await engine.tableAt(`${DB}.items`, { timestamp: new Date(Date.now() + 60_000) });
    expect(now).toBe(`"${DB}"."items@v2"`);
    await expect(engine.tableAt(`${DB}.items`, { version: 9 })).rejects.toThrow(/version 9/);
    await expect(engine.tableAt(`${DB}.nope`, { version: 0 })).rejects.toBeInstanceOf(NotFoundError);
  });

  test('a table with no files is a typed, empty view', async () => {
    await createTable('empty', ORDER_ITEMS_SCHEMA, ['date']);
    const result = await engine.query(`SELECT * FROM ${DB}.empty`);
    expect(result.rows).toEqual([]);
    expect(result.columns.map((c) => c.type)).toEqual(['integer', 'integer', 'integer', 'integer', 'integer', 'integer', 'integer', 'timestamp with time zone', 'date']);
    expect((await engine.query(`SELECT sum(id) AS s FROM ${DB}.empty`)).rows).toEqual([{ s: null }]);
  });

  test('null and quoted partition values; a column added later reads as NULL in older files', async () => {
    const schema = new arrow.Schema([
      new arrow.Field('id', new arrow.Int64(), false),
      new arrow.Field('city', new arrow.Utf8(), true),
      new arrow.Field('amount', new arrow.Float64(), true),
    ]);
    const table = await createTable('sales', schema, ['city'], tableOf(schema, [[1n, 2n, 3n, 4n], ["O'Hare", null, 'Paris', "O'Hare"], [1.5, 2.5, 3.5, null]]));
    const wider = new arrow.Schema([...schema.fields, new arrow.Field('channel', new arrow.Utf8(), true)]);
    await write(table, tableOf(wider, [[5n], ['Paris'], [5.5], ['web']]), { schemaMode: 'merge' });
    await catalog.registerTable({ database: DB, name: 'sales', format: 'delta', location: table.store.uri, schema: wider, partitionKeys: ['city'] });
    const rows = (await engine.query(`SELECT id, city, amount, channel FROM ${DB}.sales ORDER BY id`)).rows;
    expect(rows).toEqual([
      { id: 1, city: "O'Hare", amount: 1.5, channel: null },
      { id: 2, city: null, amount: 2.5, channel: null },
      { id: 3, city: 'Paris', amount: 3.5, channel: null },
      { id: 4, city: "O'Hare", amount: null, channel: null },
      { id: 5, city: 'Paris', amount: 5.5, channel: 'web' },
    ]);
    expect((await engine.query(`SELECT count(*) AS n FROM ${DB}.sales WHERE city IS NULL`)).rows).toEqual([{ n: 1 }]);
  });

  test('statistics: rows, bytes of the named tables, elapsed time', async () => {
    const table = await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(30, 0, { days: 3 }));
    const size = [...table.snapshot.files.values()].reduce((s, f) => s + f.size, 0);
    const result = await engine.query(`SELECT "date", count(*) AS n FROM ${DB}.items GROUP BY 1`);
    expect(result.stats.rows).toBe(3);
    expect(result.stats.bytesScanned).toBe(size);
    expect(result.stats.elapsedMs).toBeGreaterThan(0);
    expect((await engine.query('SELECT 42 AS answer')).stats.bytesScanned).toBe(0);
  });

  test(`data files are ${kind.name === 's3' ? 'fetched once into the local cache' : 'read in place'}`, async () => {
    const table = await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(30, 0, { days: 3 }));
    const files = table.snapshot.files.size;
    await engine.query(`SELECT count(*) FROM ${DB}.items`);
    await engine.query(`SELECT count(*) FROM ${DB}.items WHERE id > ?`, [3]);
    if (kind.name === 's3') {
      expect(engine.cache.stats.downloads).toBe(files);
      // Another engine (another process, say) with the same cache folder downloads nothing.
      const second = await DuckDbEngine.open({ catalog: new EmbeddedCatalog(warehouse), cacheDir });
      try {
        expect((await second.query(`SELECT count(*) AS n FROM ${DB}.items`)).rows).toEqual([{ n: 30 }]);
        expect(second.cache.stats).toMatchObject({ downloads: 0, hits: files });
      } finally {
        await second.close();
      }
    } else {
      expect(engine.cache.stats.downloads).toBe(0);
    }
  });

  test('errors: unknown tables, bad SQL, dropped tables', async () => {
    await createTable('items', ORDER_ITEMS_SCHEMA, ['date'], orderItems(5));
    const unknown = await engine.query(`SELECT * FROM ${DB}.nope`).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(QueryFailedError);
    expect((unknown as QueryFailedError).reason).toMatch(/nope/);
    expect((unknown as QueryFailedError).kind).toBe('terminal');
    await expect(engine.query('SELEC 1')).rejects.toThrow(/syntax error/i);
    expect((await engine.query(`SELECT count(*) AS n FROM ${DB}.items`)).rows).toEqual([{ n: 5 }]);
    await catalog.dropTable(DB, 'items');
    await expect(engine.query(`SELECT count(*) AS n FROM ${DB}.items`)).rejects.toBeInstanceOf(QueryFailedError);
  });

  test('cancellation and the time limit interrupt a running query', async () => {
    const slow = 'SELECT count(*) AS n FROM range(100000000) a, range(1000) b WHERE a.range + b.range < 0';
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 100);
    const started = Date.now();
    await expect(engine.query(slow, [], { signal: controller.signal })).rejects.toBeInstanceOf(QueryCancelledError);
    await expect(engine.query(slow, [], { timeoutMs: 100 })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await engine.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

test('every catalog table can be exposed at once', async () => {
  const { store } = await STORE_KINDS[0]!.fresh();
  const catalog = new EmbeddedCatalog(store);
  const db = `db_${randomBytes(3).toString('hex')}`;
  await catalog.createDatabase(db);
  for (const name of ['a', 'b']) {
    const key = `processed/${db}/${name}`;
    const t = await DeltaTable.create(new PrefixedStore(store, key), { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
    await write(t, orderItems(3));
    await catalog.registerTable({ database: db, name, format: 'delta', location: store.uriOf(key), schema: ORDER_ITEMS_SCHEMA, partitionKeys: ['date'] });
  }
  const engine = await DuckDbEngine.open({ catalog, cacheDir: tempDir() });
  try {
    expect(await engine.refresh()).toEqual([`${db}.a`, `${db}.b`]);
    const views = await engine.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`, [db]);
    expect(views.rows).toEqual([{ table_name: 'a' }, { table_name: 'b' }]);
  } finally {
    await engine.close();
  }
});
