/** The PostgreSQL sink's behaviour, against the embedded PGlite and a real PostgreSQL server. */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as arrow from 'apache-arrow';
import { openStore } from '../../etl/storage/open-store.js';
import { PostgresError } from '../../pipelines/postgres/errors.js';
import { openPostgres, withDatabase } from '../../pipelines/postgres/open-postgres.js';
import { PgClient } from '../../pipelines/postgres/pg-client.js';
import { PgliteClient } from '../../pipelines/postgres/pglite-client.js';
import type { PostgresClient } from '../../pipelines/postgres/postgres-client.js';
import { upsertTable } from '../../pipelines/postgres/upsert-table.js';
import { realServerWanted, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { tempDir } from '../support/stores.js';

const schema = new arrow.Schema([
  new arrow.Field('customer_id', new arrow.Utf8(), false),
  new arrow.Field('units', new arrow.Int32(), true),
  new arrow.Field('total', new arrow.Decimal(2, 18, 128), true),
  new arrow.Field('first_day', new arrow.DateDay(), true),
  new arrow.Field('seen_at', new arrow.TimestampMicrosecond('UTC'), true),
]);

interface Row {
  customer_id: string;
  units: number | null;
  total: bigint | null; // cents
  first_day: string | null;
  seen_at: string | null;
}

function batchOf(rows: Row[]): arrow.RecordBatch {
  const dec = (v: bigint | null) => (v === null ? null : new Uint32Array([Number(v & 0xffffffffn), Number((v >> 32n) & 0xffffffffn), 0, 0]));
  const table = new arrow.Table(schema, {
    customer_id: arrow.vectorFromArray(rows.map((r) => r.customer_id), new arrow.Utf8()),
    units: arrow.vectorFromArray(rows.map((r) => r.units), new arrow.Int32()),
    total: arrow.vectorFromArray(rows.map((r) => dec(r.total)), new arrow.Decimal(2, 18, 128)),
    first_day: arrow.vectorFromArray(rows.map((r) => (r.first_day ? new Date(`${r.first_day}T00:00:00Z`) : null)), new arrow.DateDay()),
    seen_at: arrow.vectorFromArray(rows.map((r) => (r.seen_at ? new Date(r.seen_at) : null)), new arrow.TimestampMicrosecond('UTC')),
  } as never);
  return table.batches[0]!;
}

async function* batches(...groups: Row[][]): AsyncIterable<arrow.RecordBatch> {
  for (const g of groups) yield batchOf(g);
}

const ROWS: Row[] = [
  { customer_id: '0023938', units: 7, total: 12345n, first_day: '2011-02-28', seen_at: '2011-03-01T10:00:00.000Z' },
  { customer_id: '0000001', units: null, total: null, first_day: null, seen_at: null },
  { customer_id: '42', units: 1, total: 5n, first_day: '2012-12-31', seen_at: '2013-01-01T00:00:00.000Z' },
];

const options = (table: string) => ({ table, schema, key: ['customer_id'], indexes: [['total DESC']] });

async function contents(client: PostgresClient, table: string) {
  const { rows } = await client.query<Record<string, unknown>>(
    `SELECT customer_id, units, total::text AS total, first_day::text AS first_day, to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS seen_at, updated_at::text AS updated_at FROM "${table}" ORDER BY customer_id`,
  );
  return rows;
}

interface Kind {
  name: string;
  open(): Promise<PostgresClient>;
}

let server: PostgresServer | undefined;
const kinds: Kind[] = [{ name: 'pglite', open: () => PgliteClient.open() }];
if (realServerWanted()) {
  kinds.push({
    name: 'postgres server',
    open: async () => {
      server ??= await startPostgresServer();
      return PgClient.connect(server.url);
    },
  });
}

afterAll(async () => {
  await server?.stop();
});

describe.each(kinds)('PostgreSQL sink on $name', (kind) => {
  let client: PostgresClient;
  let n = 0;
  const fresh = () => `customers_${++n}`;
  beforeAll(async () => {
    client = await kind.open();
  });
  afterAll(async () => {
    await client?.close();
  });

  test('creates the table with its primary key, index and updated_at, and loads every value faithfully', async () => {
    const table = fresh();
    const result = await upsertTable(client, batches(ROWS), options(table));
    expect(result).toEqual({ staged: 3, inserted: 3, updated: 0, unchanged: 0 });
    const rows = await contents(client, table);
    expect(rows.map(({ updated_at, ...r }) => r)).toEqual([
      { customer_id: '0000001', units: null, total: null, first_day: null, seen_at: null },
      { customer_id: '0023938', units: 7, total: '123.45', first_day: '2011-02-28', seen_at: '2011-03-01T10:00:00' },
      { customer_id: '42', units: 1, total: '0.05', first_day: '2012-12-31', seen_at: '2013-01-01T00:00:00' },
    ]);
    const pk = await client.query<{ def: string }>(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"${table}"'::regclass AND contype = 'p'`);
    expect(pk.rows[0]?.def).toBe('PRIMARY KEY (customer_id)');
    const idx = await client.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE tablename = '${table}' AND indexdef LIKE '%DESC%'`);
    expect(idx.rows[0]?.def).toContain('(total DESC)');
  });

  test('a re-run leaves the target identical, updated_at included', async () => {
    const table = fresh();
    await upsertTable(client, batches(ROWS), options(table));
    const before = await contents(client, table);
    await new Promise((r) => setTimeout(r, 20));
    const again = await upsertTable(client, batches(ROWS.slice(0, 2), ROWS.slice(2)), options(table));
    expect(again).toEqual({ staged: 3, inserted: 0, updated: 0, unchanged: 3 });
    expect(await contents(client, table)).toEqual(before);
  });

  test('upserts: a changed row is updated (and only its updated_at moves), a new row inserted, absent rows kept', async () => {
    const table = fresh();
    await upsertTable(client, batches(ROWS), options(table));
    const before = await contents(client, table);
    await new Promise((r) => setTimeout(r, 20));
    const changed = { ...ROWS[0]!, units: 8 };
    const added: Row = { customer_id: '9', units: 2, total: 100n, first_day: '2020-02-29', seen_at: null };
    const result = await upsertTable(client, batches([changed, added], [ROWS[2]!]), { ...options(table), batchRows: 1 });
    expect(result).toEqual({ staged: 3, inserted: 1, updated: 1, unchanged: 1 });
    const after = await contents(client, table);
    expect(after.map((r) => [r.customer_id, r.units])).toEqual([
      ['0000001', null],
      ['0023938', 8],
      ['42', 1],
      ['9', 2],
    ]);
    expect(after[1]!.updated_at).not.toBe(before[1]!.updated_at);
    expect(after[0]!.updated_at).toBe(before[0]!.updated_at);
    expect(after[2]!.updated_at).toBe(before[2]!.updated_at);
  });

  test('a failure mid-load leaves the target untouched', async () => {
    const table = fresh();
    await upsertTable(client, batches(ROWS), options(table));
    const before = await contents(client, table);
    async function* failing(): AsyncIterable<arrow.RecordBatch> {
      yield batchOf([{ ...ROWS[0]!, units: 999 }, { customer_id: 'new', units: 1, total: 1n, first_day: null, seen_at: null }]);
      throw new Error('source died mid-load');
    }
    await expect(upsertTable(client, failing(), { ...options(table), batchRows: 1 })).rejects.toThrow('source died mid-load');
    expect(await contents(client, table)).toEqual(before);
    // The connection is still usable and staging was dropped with the rolled-back transaction.
    expect((await upsertTable(client, batches(ROWS), options(table))).unchanged).toBe(3);
  });

  test('a key repeated in one load is a terminal PostgresError and nothing is loaded', async () => {
    const table = fresh();
    await upsertTable(client, batches(ROWS), options(table));
    const before = await contents(client, table);
    const err = await upsertTable(client, batches([{ ...ROWS[2]!, units: 5 }], [{ ...ROWS[2]!, units: 6 }]), options(table)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PostgresError);
    expect((err as PostgresError).kind).toBe('terminal');
    expect((err as PostgresError).sqlState).toBe('21000');
    expect(await contents(client, table)).toEqual(before);
  });
});

describe('openPostgres', () => {
  test('defaults to PGlite under <warehouse>/_lakehouse/postgres/<database>, which persists across opens', async () => {
    const dir = tempDir();
    const warehouse = openStore(dir);
    const first = await openPostgres({ database: 'serving' }, warehouse, {});
    expect(first.kind).toBe('pglite');
    await upsertTable(first, batches(ROWS), options('customers'));
    await first.close();
    const second = await openPostgres({ database: 'serving' }, warehouse, {});
    expect((await second.query<{ n: number }>('SELECT count(*)::int AS n FROM customers')).rows[0]!.n).toBe(3);
    await second.close();
  });

  test('an S3 warehouse without a URL is a usage error; DATABASE_URL selects pg; --database replaces the URL database', async () => {
    const s3 = { localPath: () => undefined } as unknown as ReturnType<typeof openStore>;
    await expect(openPostgres({}, s3, {})).rejects.toThrow(/--postgres URL/);
    const refused = await openPostgres({}, s3, { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/x' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PostgresError);
    expect((refused as PostgresError).kind).toBe('transient');
    expect((refused as Error).message).not.toContain('secret');
    expect(withDatabase('postgres://u:p@h:5432/old?sslmode=disable', 'analytics')).toBe('postgres://u:p@h:5432/analytics?sslmode=disable');
  });
});
