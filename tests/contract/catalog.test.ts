/**
 * The catalog behaviour suite, run against every implementation: the embedded catalog on a local
 * folder and on S3 (moto), and Glue (moto, real HTTP). Concurrency is checked where the back end
 * enforces it (the embedded catalog); Glue's VersionId check, which moto ignores, is covered with
 * aws-sdk-client-mock in tests/unit/glue-catalog-commit.test.ts.
 */
import { randomBytes } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { CommitConflictError, NotFoundError, UsageError } from '../../etl/errors.js';
import type { Catalog, TableDefinition } from '../../catalog/catalog.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { STORE_KINDS } from '../support/stores.js';

interface CatalogKind {
  name: string;
  /** True when concurrent updates are atomic in this back end. */
  atomic: boolean;
  fresh(): Promise<{ catalog: Catalog; location: (table: string) => string; close(): void }>;
}

const KINDS: CatalogKind[] = [
  ...STORE_KINDS.map((kind) => ({
    name: `embedded (${kind.name})`,
    atomic: true,
    async fresh() {
      const { store } = await kind.fresh();
      return { catalog: new EmbeddedCatalog(store), location: (t: string) => store.uriOf(`processed/db/${t}`), close() {} };
    },
  })),
  {
    name: 'glue (moto)',
    atomic: false,
    async fresh() {
      const catalog = new GlueCatalog();
      return { catalog, location: (t: string) => `s3://warehouse-bucket/processed/db/${t}`, close: () => catalog.client.destroy() };
    },
  },
];

const SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('amount', new arrow.Float64(), true),
  new arrow.Field('name', new arrow.Utf8(), true),
  new arrow.Field('ts', new arrow.TimestampMicrosecond('UTC'), false),
  new arrow.Field('price', new arrow.Decimal(2, 12, 128), true),
  new arrow.Field('big', new arrow.Int64(), true),
  new arrow.Field('flag', new arrow.Bool(), true),
  new arrow.Field('date', new arrow.DateDay(), false),
]);

const unique = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

describe.each(KINDS)('catalog: $name', (kind) => {
  let catalog: Catalog;
  let location: (table: string) => string;
  let close: () => void;
  let db: string;

  beforeEach(async () => {
    ({ catalog, location, close } = await kind.fresh());
    db = unique('db');
    expect(await catalog.createDatabase(db)).toBe(true);
  });
  afterEach(() => close());

  const definition = (name: string, extra: Partial<TableDefinition> = {}): TableDefinition => ({
    database: db,
    name,
    format: 'delta',
    location: location(name),
    schema: SCHEMA,
    partitionKeys: ['date'],
    properties: { owner: 'etl' },
    ...extra,
  });

  test('databases are created idempotently and listed', async () => {
    expect(await catalog.createDatabase(db)).toBe(false);
    const other = unique('other');
    await catalog.createDatabase(other);
    const names = await catalog.listDatabases();
    expect(names).toEqual(expect.arrayContaining([db, other]));
    expect(names).toEqual([...names].sort());
  });

  test('a registered Delta table reads back with its format, location, schema, partitioning and properties', async () => {
    const registered = await catalog.registerTable(definition('orders'));
    const table = await catalog.getTable(db, 'orders');
    expect(table).toBeDefined();
    expect(table!.version).toBe(registered.version);
    expect(table!.version).not.toBe('');
    expect(table).toMatchObject({ database: db, name: 'orders', format: 'delta', location: location('orders'), partitionKeys: ['date'] });
    expect(table!.properties).toEqual({ owner: 'etl' });
    expect(table!.metadataLocation).toBeUndefined();
    expect(table!.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual(
      SCHEMA.fields.map((f) => [f.name, String(f.type), f.nullable]),
    );
    expect(await catalog.getTable(db, 'missing')).toBeUndefined();
  });

  test('registering the same definition again changes nothing', async () => {
    const first = await catalog.registerTable(definition('orders'));
    const again = await catalog.registerTable(definition('orders'));
    expect(again.version).toBe(first.version);
    expect((await catalog.getTable(db, 'orders'))!.version).toBe(first.version);
  });

  test('schema changes add columns and never lose any; properties merge; partition keys are replaced', async () => {
    const first = await catalog.registerTable(definition('orders'));
    const wider = new arrow.Schema([...SCHEMA.fields, new arrow.Field('channel', new arrow.Utf8(), true)]);
    const second = await catalog.registerTable(definition('orders', { schema: wider, properties: { quality: 'gold' } }));
    expect(second.version).not.toBe(first.version);
    // A writer that still has the old, narrower schema does not drop `channel` (or anything else).
    const narrow = new arrow.Schema(SCHEMA.fields.filter((f) => f.name !== 'amount'));
    await catalog.registerTable(definition('orders', { schema: narrow, partitionKeys: [] }));
    const table = await catalog.getTable(db, 'orders');
    expect(table!.schema.fields.map((f) => f.name)).toEqual([...SCHEMA.fields.map((f) => f.name), 'channel']);
    expect(table!.properties).toEqual({ owner: 'etl', quality: 'gold' });
    expect(table!.partitionKeys).toEqual([]);
    // A column's type follows the newest definition.
    const widened = new arrow.Schema([new arrow.Field('id', new arrow.Int64(), false)]);
    await catalog.registerTable(definition('orders', { schema: widened, partitionKeys: [] }));
    expect(String((await catalog.getTable(db, 'orders'))!.schema.fields[0]!.type)).toBe('Int64');
  });

  test('tables are listed per database and across databases, sorted', async () => {
    const other = unique('other');
    await catalog.createDatabase(other);
    await catalog.registerTable(definition('orders'));
    await catalog.registerTable(definition('customers'));
    await catalog.registerTable({ ...definition('events'), database: other });
    expect((await catalog.listTables(db)).map((t) => t.name)).toEqual(['customers', 'orders']);
    const all = (await catalog.listTables()).map((t) => `${t.database}.${t.name}`);
    expect(all).toEqual(expect.arrayContaining([`${db}.customers`, `${db}.orders`, `${other}.events`]));
    expect((await catalog.listTables(db))[1]!.schema.fields).toHaveLength(SCHEMA.fields.length);
  });

  test('drop removes the table from get and list; it can be registered again', async () => {
    await catalog.registerTable(definition('orders'));
    await catalog.registerTable(definition('customers'));
    expect(await catalog.dropTable(db, 'orders')).toBe(true);
    expect(await catalog.getTable(db, 'orders')).toBeUndefined();
    expect((await catalog.listTables(db)).map((t) => t.name)).toEqual(['customers']);
    expect(await catalog.dropTable(db, 'orders')).toBe(false);
    await catalog.registerTable(definition('orders', { properties: {} }));
    expect((await catalog.getTable(db, 'orders'))!.properties).toEqual({});
  });

  test('a missing database is a NotFoundError', async () => {
    const missing = unique('nodb');
    const calls = [
      () => catalog.registerTable({ ...definition('orders'), database: missing }),
      () => catalog.getTable(missing, 'orders'),
      () => catalog.listTables(missing),
      () => catalog.dropTable(missing, 'orders'),
      () => catalog.swap(`${missing}.t`, undefined, 's3://b/t/metadata/00000-a.metadata.json'),
    ];
    for (const call of calls) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).kind).toBe('terminal');
    }
  });

  test('invalid definitions are refused with UsageError', async () => {
    const bad: TableDefinition[] = [
      definition('Orders'),
      definition('orders', { database: 'Bad-Name' }),
      definition('orders', { partitionKeys: ['nope'] }),
      definition('orders', { properties: { table_type: 'HIVE' } }),
      definition('orders', { properties: { 'lakehouse.schema': '{}' } }),
      definition('orders', { location: 'relative/path' }),
      definition('orders', { format: 'hudi' as never }),
    ];
    for (const d of bad) await expect(catalog.registerTable(d)).rejects.toBeInstanceOf(UsageError);
    await catalog.registerTable(definition('orders'));
    await expect(catalog.registerTable(definition('orders', { format: 'iceberg' }))).rejects.toBeInstanceOf(UsageError);
    await expect(catalog.current('no-dot')).rejects.toBeInstanceOf(UsageError);
  });

  test('the Iceberg pointer is a compare-and-swap', async () => {
    const table = `${db}.events`;
    const root = location('events');
    const m = (n: number) => `${root}/metadata/0000${n}-${'a'.repeat(8)}.metadata.json`;
    expect(await catalog.current(table)).toBeUndefined();
    const p1 = await catalog.swap(table, undefined, m(1));
    expect(p1.metadataLocation).toBe(m(1));
    expect(await catalog.current(table)).toEqual(p1);
    const created = await catalog.getTable(db, 'events');
    expect(created).toMatchObject({ format: 'iceberg', location: root, metadataLocation: m(1) });

    const p2 = await catalog.swap(table, p1, m(2));
    expect(p2.token).not.toBe(p1.token);
    expect(await catalog.getTable(db, 'events')).toMatchObject({ metadataLocation: m(2), previousMetadataLocation: m(1) });

    // A writer that read p1 lost: the pointer is no longer p1.
    const stale = await catalog.swap(table, p1, m(3)).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(CommitConflictError);
    expect((stale as CommitConflictError).kind).toBe('transient');
    await expect(catalog.swap(table, undefined, m(3))).rejects.toBeInstanceOf(CommitConflictError);
    expect((await catalog.current(table))!.metadataLocation).toBe(m(2));

    // Registering the schema leaves the pointer alone; a later swap keeps the schema.
    await catalog.registerTable(definition('events', { format: 'iceberg', location: root }));
    expect((await catalog.current(table))!.metadataLocation).toBe(m(2));
    const p4 = await catalog.swap(table, (await catalog.current(table))!, m(4));
    const after = await catalog.getTable(db, 'events');
    expect(after).toMatchObject({ metadataLocation: p4.metadataLocation, previousMetadataLocation: m(2), partitionKeys: ['date'] });
    expect(after!.schema.fields.map((f) => f.name)).toEqual(SCHEMA.fields.map((f) => f.name));
  });

  test('an Iceberg table registered first takes its first pointer with expected = undefined', async () => {
    await catalog.registerTable(definition('events', { format: 'iceberg' }));
    const p = await catalog.swap(`${db}.events`, undefined, `${location('events')}/metadata/00000-x.metadata.json`);
    expect((await catalog.getTable(db, 'events'))!.metadataLocation).toBe(p.metadataLocation);
  });

  test('a Delta table has no pointer to swap', async () => {
    await catalog.registerTable(definition('orders'));
    expect(await catalog.current(`${db}.orders`)).toBeUndefined();
    await expect(catalog.swap(`${db}.orders`, undefined, 's3://b/x/metadata/1.metadata.json')).rejects.toBeInstanceOf(UsageError);
  });

  if (kind.atomic) {
    test('concurrent swaps from one pointer: exactly one wins', async () => {
      const table = `${db}.events`;
      const base = await catalog.swap(table, undefined, `${location('events')}/metadata/00000-base.metadata.json`);
      const attempts = Array.from({ length: 12 }, (_, i) => `${location('events')}/metadata/00001-w${i}.metadata.json`);
      const results = await Promise.allSettled(attempts.map((next) => catalog.swap(table, base, next)));
      const won = results.filter((r): r is PromiseFulfilledResult<{ metadataLocation: string; token: string }> => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(CommitConflictError);
      expect((await catalog.current(table))!.metadataLocation).toBe(won[0]!.value.metadataLocation);
    });

    test('concurrent registrations adding different columns all land', async () => {
      await catalog.registerTable(definition('orders'));
      const extra = Array.from({ length: 8 }, (_, i) => `extra_${i}`);
      await Promise.all(
        extra.map((column) =>
          catalog.registerTable(definition('orders', { schema: new arrow.Schema([...SCHEMA.fields, new arrow.Field(column, new arrow.Utf8(), true)]) })),
        ),
      );
      const names = (await catalog.getTable(db, 'orders'))!.schema.fields.map((f) => f.name);
      expect(names.slice(0, SCHEMA.fields.length)).toEqual(SCHEMA.fields.map((f) => f.name));
      expect(names.slice(SCHEMA.fields.length).sort()).toEqual(extra);
    });
  }
});
