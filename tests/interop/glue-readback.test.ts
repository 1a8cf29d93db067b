/**
 * Tables our GlueCatalog registers read back with boto3 (the reference SDK) from moto, with the
 * table type, parameters, location, Hive column types and partition keys that Athena relies on.
 */
import { randomBytes } from 'node:crypto';
import * as arrow from 'apache-arrow';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { ORDERS_SCHEMA } from '../support/ecommerce-tables.js';
import { runPython } from '../support/python.js';

interface GlueColumn {
  Name: string;
  Type: string;
}
interface GlueTable {
  Name: string;
  TableType: string;
  Parameters: Record<string, string>;
  StorageDescriptor: { Location: string; Columns: GlueColumn[]; SerdeInfo?: { SerializationLibrary?: string } };
  PartitionKeys?: GlueColumn[];
}

test('a Delta and an Iceberg table registered by us, read with boto3', async () => {
  const catalog = new GlueCatalog();
  const db = `interop_${randomBytes(4).toString('hex')}`;
  const root = `s3://lake/warehouse/processed/${db}`;
  try {
    await catalog.createDatabase(db);
    await catalog.registerTable({
      database: db,
      name: 'orders',
      format: 'delta',
      location: `${root}/orders`,
      schema: ORDERS_SCHEMA,
      partitionKeys: ['date'],
      properties: { owner: 'lakehouse-etl' },
    });
    const events = `${db}.events`;
    const m1 = `${root}/events/metadata/00000-aaaa.metadata.json`;
    const m2 = `${root}/events/metadata/00001-bbbb.metadata.json`;
    const p1 = await catalog.swap(events, undefined, m1);
    await catalog.registerTable({
      database: db,
      name: 'events',
      format: 'iceberg',
      location: `${root}/events`,
      schema: new arrow.Schema([new arrow.Field('id', new arrow.Int64(), false), new arrow.Field('payload', new arrow.Utf8(), true), new arrow.Field('at', new arrow.TimestampMicrosecond('UTC'), true)]),
    });
    await catalog.swap(events, p1, m2);

    const out = await runPython<{ tables: Record<string, GlueTable>; listed: string[] }>('glue_readback.py', [db, 'orders', 'events']);
    expect(out.listed).toEqual(['events', 'orders']);

    const orders = out.tables.orders!;
    expect(orders.TableType).toBe('EXTERNAL_TABLE');
    expect(orders.Parameters).toMatchObject({ table_type: 'DELTA', 'spark.sql.sources.provider': 'delta', owner: 'lakehouse-etl' });
    expect(orders.StorageDescriptor.Location).toBe(`${root}/orders`);
    expect(orders.StorageDescriptor.Columns).toEqual([
      { Name: 'order_num', Type: 'int' },
      { Name: 'order_id', Type: 'int' },
      { Name: 'user_id', Type: 'int' },
      { Name: 'order_timestamp', Type: 'timestamp' },
      { Name: 'total_amount', Type: 'double' },
    ]);
    expect(orders.PartitionKeys).toEqual([{ Name: 'date', Type: 'date' }]);
    expect(orders.StorageDescriptor.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');

    const iceberg = out.tables.events!;
    expect(iceberg.TableType).toBe('EXTERNAL_TABLE');
    expect(iceberg.Parameters).toMatchObject({ table_type: 'ICEBERG', metadata_location: m2, previous_metadata_location: m1 });
    expect(iceberg.StorageDescriptor.Location).toBe(`${root}/events`);
    expect(iceberg.StorageDescriptor.Columns).toEqual([
      { Name: 'id', Type: 'bigint' },
      { Name: 'payload', Type: 'string' },
      { Name: 'at', Type: 'timestamp' },
    ]);
    expect(iceberg.PartitionKeys ?? []).toEqual([]);
  } finally {
    catalog.client.destroy();
  }
});
