/**
 * A run limited to some datasets (what an S3 event for one prefix triggers): its foreign keys are
 * checked against the committed tables of the datasets it does not load, and it creates no other table.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../etl/storage/open-store.js';
import { generateEcommerceDemo } from '../../pipelines/demo/ecommerce-demo-data.js';
import { ecommercePipeline } from '../../pipelines/ecommerce/ecommerce-pipeline.js';
import { openContext } from '../../pipelines/runner/lakehouse-context.js';
import { runPipeline } from '../../pipelines/runner/run-pipeline.js';
import { tempDir } from '../support/stores.js';

test.each(['delta', 'iceberg'] as const)('%s: order_items alone, before and after its dependencies are committed', async (format) => {
  const root = tempDir();
  const raw = join(root, 'raw');
  const warehouse = join(root, 'warehouse');
  const expected = await generateEcommerceDemo({ rawDir: raw, seed: 3, days: 1, ordersPerDay: 30, products: 40 });
  const run = async (datasets: string[]) => {
    const context = openContext({ warehouse, format });
    try {
      return await runPipeline({ pipeline: ecommercePipeline, raw: openStore(raw), warehouse: context.warehouse, format, catalog: context.catalog, engine: await context.engine(), datasets });
    } finally {
      await context.close();
    }
  };
  // Nothing committed yet: every item is an orphan, and no orders or products table appears.
  const alone = await run(['order_items']);
  expect(alone.status).toBe('succeeded');
  const items = alone.datasets[0]!;
  expect(items).toMatchObject({ name: 'order_items', rejected: items.read });
  expect(existsSync(join(warehouse, 'processed', 'ecommerce', 'orders'))).toBe(false);
  expect(existsSync(join(warehouse, 'processed', 'ecommerce', 'products'))).toBe(false);
  // Products and orders committed by their own runs; new items then check against them.
  await run(['products']);
  await run(['orders']);
  await generateEcommerceDemo({ rawDir: join(root, 'raw2'), seed: 3, days: 1, ordersPerDay: 30, products: 40 });
  const { cpSync } = await import('node:fs');
  cpSync(join(root, 'raw2', 'order_items'), join(raw, 'order_items', 'again'), { recursive: true });
  const later = await run(['order_items']);
  expect(later.datasets[0]!.rejectedByRule).toEqual(expected.rejected.order_items);
}, 120_000);
