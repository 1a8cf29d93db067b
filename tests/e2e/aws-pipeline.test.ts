/**
 * The e-commerce pipeline against AWS APIs served by moto (real HTTP): the warehouse and raw zone on
 * S3, tables registered in Glue, for Delta and Iceberg. The engine stays DuckDB (moto runs no Athena
 * SQL), reading the S3 warehouse through our object store.
 */
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { openStore } from '../../etl/storage/open-store.js';
import { ecommercePipeline } from '../../pipelines/ecommerce/ecommerce-pipeline.js';
import { runPipeline } from '../../pipelines/runner/run-pipeline.js';
import { sampleDates, sampleLines } from '../support/daily-drops.js';
import { createTestBucket } from '../support/s3-bucket.js';
import { tempDir } from '../support/stores.js';

describe.each(['delta', 'iceberg'] as const)('on S3 + Glue (moto), %s', (format) => {
  test('three daily drops: counts through DuckDB over S3, tables in Glue with their parameters', async () => {
    const bucket = await createTestBucket();
    const raw = openStore(`${bucket}/raw`);
    const warehouse = openStore(`${bucket}/warehouse`);
    const database = `ecommerce_${format}_${Math.floor(Math.random() * 1e9)}`;
    const pipeline = { ...ecommercePipeline, database };
    const catalog = new GlueCatalog({});
    const engine = await DuckDbEngine.open({ catalog, cacheDir: tempDir('lakehouse-cache-') });
    try {
      await raw.put('products/products.csv', new TextEncoder().encode(`${sampleLines('products.csv').join('\n')}\n`));
      const [oh, ...orders] = sampleLines('orders.csv');
      const [ih, ...items] = sampleLines('order_items.csv');
      let expectedOrders = 0;
      let expectedItems = 0;
      for (const date of sampleDates().slice(0, 3)) {
        const o = orders.filter((r) => r.endsWith(`,${date}`));
        const i = items.filter((r) => r.endsWith(`,${date}`));
        expectedOrders += o.length;
        expectedItems += i.length;
        await raw.put(`orders/${date}.csv`, new TextEncoder().encode(`${[oh, ...o].join('\n')}\n`));
        await raw.put(`order_items/${date}.csv`, new TextEncoder().encode(`${[ih, ...i].join('\n')}\n`));
        const summary = await runPipeline({ pipeline, raw, warehouse, format, catalog, engine });
        expect(summary.status).toBe('succeeded');
        expect(summary.datasets.find((d) => d.name === 'orders')).toMatchObject({ read: o.length, accepted: o.length });
      }
      const count = async (t: string) => Number((await engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${database}.${t}`)).rows[0]!.n);
      expect(await count('products')).toBe(1000);
      expect(await count('orders')).toBe(expectedOrders);
      expect(await count('order_items')).toBe(expectedItems);
      // Raw files archived on S3.
      const archived: string[] = [];
      for await (const m of raw.list('archived/')) archived.push(m.key);
      expect(archived).toHaveLength(7);
      // Glue holds the tables with the parameters Athena needs.
      const glue = new GlueClient({});
      const t = (await glue.send(new GetTableCommand({ DatabaseName: database, Name: 'orders' }))).Table!;
      expect(t.StorageDescriptor?.Location).toBe(warehouse.uriOf(`processed/${database}/orders`));
      if (format === 'delta') {
        expect(t.Parameters).toMatchObject({ table_type: 'DELTA', 'spark.sql.sources.provider': 'delta' });
        expect(t.PartitionKeys?.map((k) => k.Name)).toEqual(['date']);
      } else {
        // Iceberg partitioning is hidden (in the metadata), not Hive partition keys; `date` is a column.
        expect(t.Parameters?.table_type).toBe('ICEBERG');
        expect(t.Parameters?.metadata_location).toMatch(/\/metadata\/\d{5}-[0-9a-f-]+\.metadata\.json$/);
        expect(t.StorageDescriptor?.Columns?.map((c) => c.Name)).toContain('date');
      }
      glue.destroy();
    } finally {
      await engine.close();
    }
  }, 300_000);
});
