/**
 * Glue's optimistic concurrency, which moto does not enforce: every update carries the VersionId
 * GetTable returned, a ConcurrentModificationException makes the catalog re-read and re-apply, and an
 * Iceberg swap whose pointer moved fails with CommitConflictError. Also the exact TableInput of a
 * Delta table and the error mapping. The Glue client is mocked with aws-sdk-client-mock.
 */
import {
  AccessDeniedException,
  AlreadyExistsException,
  ConcurrentModificationException,
  CreateTableCommand,
  EntityNotFoundException,
  GetDatabaseCommand,
  GetTableCommand,
  GlueClient,
  ThrottlingException,
  UpdateTableCommand,
  type Table,
} from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import * as arrow from 'apache-arrow';
import { CommitConflictError } from '../../etl/errors.js';
import { ServiceError, TransientServiceError } from '../../catalog/errors.js';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { tableInputOf } from '../../catalog/glue/glue-table.js';
import { schemaJson } from '../../catalog/table-entry.js';

const ROOT = 's3://wh/processed/db/events';
const M1 = `${ROOT}/metadata/00001-a.metadata.json`;
const M2 = `${ROOT}/metadata/00002-b.metadata.json`;
const M3 = `${ROOT}/metadata/00003-c.metadata.json`;

const cme = () => new ConcurrentModificationException({ message: 'version mismatch', $metadata: { httpStatusCode: 400 } });

function schema(...names: string[]): arrow.Schema {
  return new arrow.Schema(names.map((n) => new arrow.Field(n, new arrow.Int32(), true)));
}

/** A Glue table as GetTable returns it. */
function icebergTable(versionId: string, metadataLocation: string, columns = ['a']): Table {
  const input = tableInputOf('events', { format: 'iceberg', location: ROOT, schema: schema(...columns), partitionKeys: [], properties: { classification: 'parquet' } }, { metadataLocation });
  return { ...input, Name: 'events', DatabaseName: 'db', VersionId: versionId } as Table;
}

function deltaTable(versionId: string, columns: string[]): Table {
  const input = tableInputOf('orders', { format: 'delta', location: 's3://wh/processed/db/orders', schema: schema(...columns), partitionKeys: [], properties: {} });
  return { ...input, Name: 'orders', DatabaseName: 'db', VersionId: versionId } as Table;
}

describe('GlueCatalog commits (mocked Glue)', () => {
  const client = new GlueClient({ region: 'us-east-1' });
  const glue = mockClient(client);
  const catalog = new GlueCatalog({ client, retryBaseMs: 1, maxAttempts: 4 });

  beforeEach(() => {
    glue.reset();
    glue.on(GetDatabaseCommand).resolves({ Database: { Name: 'db' } });
  });
  afterAll(() => glue.restore());

  test('a swap sends UpdateTable with the VersionId it read, the new and previous pointers, and keeps other parameters', async () => {
    glue.on(GetTableCommand).resolvesOnce({ Table: icebergTable('7', M1) }).resolves({ Table: icebergTable('8', M2) });
    glue.on(UpdateTableCommand).resolves({});
    const pointer = await catalog.swap('db.events', { metadataLocation: M1, token: '7' }, M2);
    expect(pointer).toEqual({ metadataLocation: M2, token: '8' });
    const updates = glue.commandCalls(UpdateTableCommand);
    expect(updates).toHaveLength(1);
    const input = updates[0]!.args[0].input;
    expect(input.VersionId).toBe('7');
    expect(input.DatabaseName).toBe('db');
    expect(input.TableInput?.TableType).toBe('EXTERNAL_TABLE');
    expect(input.TableInput?.Parameters).toMatchObject({
      table_type: 'ICEBERG',
      metadata_location: M2,
      previous_metadata_location: M1,
      classification: 'parquet',
    });
    expect(input.TableInput?.StorageDescriptor?.Location).toBe(ROOT);
  });

  test('a ConcurrentModificationException after which the pointer moved is a CommitConflictError', async () => {
    glue.on(GetTableCommand).resolvesOnce({ Table: icebergTable('7', M1) }).resolves({ Table: icebergTable('8', M3) });
    glue.on(UpdateTableCommand).rejects(cme());
    const err = await catalog.swap('db.events', { metadataLocation: M1, token: '7' }, M2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect((err as CommitConflictError).transient).toBe(true);
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(1);
    expect(glue.commandCalls(GetTableCommand)).toHaveLength(2);
  });

  test('a ConcurrentModificationException from an update that left the pointer alone is re-read and retried with the new VersionId', async () => {
    glue
      .on(GetTableCommand)
      .resolvesOnce({ Table: icebergTable('7', M1) })
      .resolvesOnce({ Table: icebergTable('8', M1, ['a', 'b']) })
      .resolves({ Table: icebergTable('9', M2, ['a', 'b']) });
    glue.on(UpdateTableCommand).rejectsOnce(cme()).resolves({});
    await catalog.swap('db.events', { metadataLocation: M1, token: '7' }, M2);
    const updates = glue.commandCalls(UpdateTableCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.VersionId)).toEqual(['7', '8']);
    // The re-applied update keeps what the other writer added.
    expect(updates[1]!.TableInput?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['a', 'b']);
    expect(updates[1]!.TableInput?.Parameters?.metadata_location).toBe(M2);
  });

  test('a swap gives up with CommitConflictError when modifications keep winning', async () => {
    glue.on(GetTableCommand).resolves({ Table: icebergTable('7', M1) });
    glue.on(UpdateTableCommand).rejects(cme());
    await expect(catalog.swap('db.events', { metadataLocation: M1, token: '7' }, M2)).rejects.toBeInstanceOf(CommitConflictError);
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(4);
  });

  test('a stale expected pointer fails without calling UpdateTable', async () => {
    glue.on(GetTableCommand).resolves({ Table: icebergTable('9', M2) });
    await expect(catalog.swap('db.events', { metadataLocation: M1, token: '7' }, M3)).rejects.toBeInstanceOf(CommitConflictError);
    expect(glue.commandCalls(UpdateTableCommand)).toHaveLength(0);
  });

  test('registerTable re-applies its columns on top of a concurrent schema change', async () => {
    glue
      .on(GetTableCommand)
      .resolvesOnce({ Table: deltaTable('3', ['a']) })
      .resolvesOnce({ Table: deltaTable('4', ['a', 'b']) })
      .resolves({ Table: deltaTable('5', ['a', 'b', 'c']) });
    glue.on(UpdateTableCommand).rejectsOnce(cme()).resolves({});
    const table = await catalog.registerTable({ database: 'db', name: 'orders', format: 'delta', location: 's3://wh/processed/db/orders', schema: schema('a', 'c') });
    expect(table.version).toBe('5');
    const updates = glue.commandCalls(UpdateTableCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.VersionId)).toEqual(['3', '4']);
    expect(updates[1]!.TableInput?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['a', 'b', 'c']);
    expect(updates[1]!.TableInput?.Parameters?.['lakehouse.schema']).toBe(schemaJson(schema('a', 'b', 'c')));
  });

  test('a CreateTable that loses to a concurrent create becomes an update of the winner', async () => {
    glue
      .on(GetTableCommand)
      .rejectsOnce(new EntityNotFoundException({ message: 'Table orders not found', $metadata: {} }))
      .resolvesOnce({ Table: deltaTable('1', ['a']) })
      .resolves({ Table: deltaTable('2', ['a', 'b']) });
    glue.on(CreateTableCommand).rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    glue.on(UpdateTableCommand).resolves({});
    await catalog.registerTable({ database: 'db', name: 'orders', format: 'delta', location: 's3://wh/processed/db/orders', schema: schema('b') });
    expect(glue.commandCalls(CreateTableCommand)).toHaveLength(1);
    const update = glue.commandCalls(UpdateTableCommand)[0]!.args[0].input;
    expect(update.VersionId).toBe('1');
    expect(update.TableInput?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['a', 'b']);
  });

  test('errors: access denied is terminal, throttling left after the SDK retries is transient', async () => {
    glue.on(GetTableCommand).rejects(new AccessDeniedException({ message: 'no', $metadata: { httpStatusCode: 403 } }));
    const denied = await catalog.getTable('db', 'orders').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ServiceError);
    expect((denied as ServiceError).kind).toBe('terminal');
    glue.reset();
    glue.on(GetTableCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400, attempts: 5 } }));
    const throttled = await catalog.getTable('db', 'orders').catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(TransientServiceError);
    expect((throttled as Error).message).toMatch(/after 5 attempts/);
  });
});

describe('Glue TableInput of a Delta table', () => {
  test('EXTERNAL_TABLE with DELTA parameters, the table root, Hive column types and partition keys', () => {
    const full = new arrow.Schema([
      new arrow.Field('id', new arrow.Int32(), false),
      new arrow.Field('big', new arrow.Int64(), true),
      new arrow.Field('amount', new arrow.Float64(), true),
      new arrow.Field('name', new arrow.Utf8(), true),
      new arrow.Field('flag', new arrow.Bool(), true),
      new arrow.Field('price', new arrow.Decimal(2, 12, 128), true),
      new arrow.Field('ts', new arrow.TimestampMicrosecond('UTC'), true),
      new arrow.Field('tags', new arrow.List(new arrow.Field('element', new arrow.Utf8(), true)), true),
      new arrow.Field('date', new arrow.DateDay(), false),
    ]);
    const input = tableInputOf('orders', { format: 'delta', location: 's3://wh/processed/db/orders', schema: full, partitionKeys: ['date'], properties: { owner: 'etl' } });
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.Parameters).toMatchObject({ table_type: 'DELTA', 'spark.sql.sources.provider': 'delta', owner: 'etl', EXTERNAL: 'TRUE' });
    expect(input.StorageDescriptor?.Location).toBe('s3://wh/processed/db/orders');
    expect(input.StorageDescriptor?.Columns).toEqual([
      { Name: 'id', Type: 'int' },
      { Name: 'big', Type: 'bigint' },
      { Name: 'amount', Type: 'double' },
      { Name: 'name', Type: 'string' },
      { Name: 'flag', Type: 'boolean' },
      { Name: 'price', Type: 'decimal(12,2)' },
      { Name: 'ts', Type: 'timestamp' },
      { Name: 'tags', Type: 'array<string>' },
    ]);
    expect(input.PartitionKeys).toEqual([{ Name: 'date', Type: 'date' }]);
  });
});
