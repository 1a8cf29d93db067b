/**
 * An Iceberg table whose metadata pointer lives in AWS Glue (moto, real HTTP), its files in S3 (moto),
 * read by the DuckDB engine with the GlueCatalog as both catalog and pointer store. Also pins the
 * Glue entry across pointer swaps: the columns registered with `registerTable` stay, and the pointer
 * parameters follow every commit.
 */
import { randomBytes } from 'node:crypto';
import { GetTableCommand } from '@aws-sdk/client-glue';
import { IcebergTable, write } from '../../etl/iceberg/index.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../support/fixtures.js';
import { createTestBucket } from '../support/s3-bucket.js';
import { tempDir } from '../support/stores.js';

test('an Iceberg table committed through Glue is resolved by the DuckDB engine; swaps keep the registered columns', async () => {
  const warehouse = openStore(await createTestBucket());
  const glue = new GlueCatalog();
  const db = `iceberg_${randomBytes(4).toString('hex')}`;
  await glue.createDatabase(db);
  const key = `processed/${db}/items`;
  const engine = await DuckDbEngine.open({ catalog: glue, cacheDir: tempDir('lakehouse-cache-'), threads: 2 });
  try {
    // Created by its first pointer swap: Glue has the pointer and the location, no columns yet.
    const table = await IcebergTable.create(new PrefixedStore(warehouse, key), glue, `${db}.items`, { schema: ORDER_ITEMS_SCHEMA, partitionBy: ['date'] });
    await write(table, orderItems(20, 0, { days: 2 }));
    const created = (await glue.getTable(db, 'items'))!;
    expect(created).toMatchObject({ format: 'iceberg', location: warehouse.uriOf(key), metadataLocation: table.metadataLocation });
    expect(created.schema.fields).toEqual([]);

    const result = await engine.query(`SELECT "date", count(*) AS n, min(order_timestamp) AS first FROM ${db}.items GROUP BY 1 ORDER BY 1`);
    expect(result.columns.map((c) => c.type)).toEqual(['date', 'bigint', 'timestamp with time zone']);
    expect(result.rows.map((r) => [r.date, r.n])).toEqual([['2025-04-01', 10], ['2025-04-02', 10]]);
    expect((result.rows[0]!.first as Date).toISOString().slice(0, 10)).toBe('2025-04-01');

    // Registering the columns after the first swap leaves the pointer alone; the next commit leaves the columns alone.
    await glue.registerTable({ database: db, name: 'items', format: 'iceberg', location: warehouse.uriOf(key), schema: ORDER_ITEMS_SCHEMA, partitionKeys: ['date'] });
    expect((await glue.current(`${db}.items`))!.metadataLocation).toBe(table.metadataLocation);
    const before = table.metadataLocation;
    await write(table, orderItems(10, 100, { days: 1 }));
    const raw = (await glue.client.send(new GetTableCommand({ DatabaseName: db, Name: 'items' }))).Table!;
    expect(raw.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(ORDER_ITEMS_SCHEMA.fields.map((f) => f.name));
    expect(raw.Parameters).toMatchObject({ table_type: 'ICEBERG', metadata_location: table.metadataLocation, previous_metadata_location: before });

    expect((await engine.query(`SELECT count(*) AS n FROM ${db}.items`)).rows).toEqual([{ n: 30 }]);
    const v1 = await engine.tableAt(`${db}.items`, { version: 1 });
    expect(v1).toBe(`"${db}"."items@v1"`);
    expect((await engine.query(`SELECT count(*) AS n FROM ${v1}`)).rows).toEqual([{ n: 20 }]);
    expect(engine.cache.stats.downloads).toBe((await table.dataFiles()).length);
  } finally {
    await engine.close();
    glue.client.destroy();
  }
});
