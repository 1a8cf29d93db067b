/**
 * The customer-purchases silver table (decimal(38,6) amount_aud, partitioned by the ingest_date column
 * the pipeline adds) and gold table, as delta-rs and pyiceberg read them: the same rows as our engine.
 */
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { fixedClock } from '../../etl/clock.js';
import { openStore } from '../../etl/storage/open-store.js';
import { runCustomerPurchases } from '../../pipelines/customer-purchases/customer-purchases-pipeline.js';
import { generatePurchaseDrops } from '../support/purchase-drops.js';
import { runPython } from '../support/python.js';
import { tempDir } from '../support/stores.js';

type Rows = Record<string, string | null>[];

const sorted = (rows: Rows): Rows => [...rows].sort((a, b) => (JSON.stringify(a, Object.keys(a).sort()) < JSON.stringify(b, Object.keys(b).sort()) ? -1 : 1));

/** Our engine's rows with every value as the reference harness prints it (decimals and dates as text). */
async function ours(warehouse: string, table: string): Promise<Rows> {
  const engine = await DuckDbEngine.open({ catalog: new EmbeddedCatalog(openStore(warehouse)) });
  try {
    const columns = (await engine.query<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE ${table})`)).rows.map((r) => r.column_name);
    const sql = `SELECT ${columns.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ')} FROM ${table}`;
    return sorted((await engine.query<Record<string, string | null>>(sql)).rows);
  } finally {
    await engine.close();
  }
}

async function pipelineWarehouse(format: 'delta' | 'iceberg'): Promise<string> {
  const drops = generatePurchaseDrops(7, 3, 80);
  const dir = tempDir(`cp-interop-${format}-`);
  const source = join(dir, 'in');
  mkdirSync(source);
  const warehouse = join(dir, 'warehouse');
  for (const run of drops.runs) {
    for (const file of drops.files.filter((f) => f.day === run.day)) writeFileSync(join(source, file.name), file.text);
    const summary = await runCustomerPurchases({ settings: { warehouse, format }, source, clock: fixedClock(Date.parse(`2026-03-0${run.day}T08:00:00Z`)) });
    expect(summary.error).toBeUndefined();
  }
  return warehouse;
}

describe('customer-purchases tables in the reference readers', () => {
  test('delta-rs reads silver (partitioned by ingest_date) and gold with our rows', async () => {
    const warehouse = await pipelineWarehouse('delta');
    for (const table of ['purchases', 'customer_purchase_summary']) {
      const theirs = await runPython<{ partition_columns: string[]; rows: Rows }>('delta_tool.py', ['read', join(warehouse, 'processed/customer_purchases', table)]);
      expect(theirs.partition_columns).toEqual(table === 'purchases' ? ['ingest_date'] : []);
      const mine = await ours(warehouse, `customer_purchases.${table}`);
      expect(mine.length).toBeGreaterThan(10);
      expect(sorted(theirs.rows)).toEqual(mine);
    }
  });

  test('pyiceberg reads silver (identity partition on ingest_date) and gold with our rows', async () => {
    const warehouse = await pipelineWarehouse('iceberg');
    for (const table of ['purchases', 'customer_purchase_summary']) {
      const metadataDir = join(warehouse, 'processed/customer_purchases', table, 'metadata');
      const latest = readdirSync(metadataDir).filter((f) => f.endsWith('.metadata.json')).sort().at(-1)!;
      const theirs = await runPython<{ partition_spec: { name: string; transform: string }[]; rows: Rows }>('iceberg_tool.py', ['read', join(metadataDir, latest)]);
      expect(theirs.partition_spec.map((f) => `${f.name}:${f.transform}`)).toEqual(table === 'purchases' ? ['ingest_date:identity'] : []);
      expect(sorted(theirs.rows)).toEqual(await ours(warehouse, `customer_purchases.${table}`));
    }
  });
});
