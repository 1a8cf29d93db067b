/** `lakehouse run customer-purchases --raw <dir> --warehouse <dir>` as a user runs it, on the embedded PGlite. */
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgliteClient } from '../../pipelines/postgres/pglite-client.js';
import { lakehouse } from '../support/cli.js';
import { tempDir } from '../support/stores.js';

const CSV = [
  'customer_id,first_name,last_name,email,purchase_id,purchase_date,amount,currency',
  '1,Ann,Lee,ann@example.com,1,2026-01-01,10.00,USD',
  '2,Bob,Ray,bob@example.com,2,2026-01-02,12.00,AUD',
  '3,Cat,Ng,cat@example.com,3,2026-01-02,5.00,JPY',
].join('\n');

describe('lakehouse run customer-purchases', () => {
  test('--raw folder: --json summary with the four stages and top_customers; the PostgreSQL table has its key and index; a re-run lands nothing', async () => {
    const dir = tempDir('cp-cli-');
    mkdirSync(join(dir, 'raw'));
    writeFileSync(join(dir, 'raw', 'any-name.csv'), `${CSV}\n`);
    const args = ['run', 'customer-purchases', '--raw', join(dir, 'raw'), '--warehouse', join(dir, 'wh'), '--json'];
    const run = await lakehouse(args);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { status: string; datasets: { name: string; read: number; accepted: number; rejected: number }[]; stages: { name: string; result: { top_customers?: unknown } }[] };
    expect(summary.status).toBe('succeeded');
    expect(summary.datasets[0]).toMatchObject({ name: 'purchases', read: 3, accepted: 2, rejected: 1 });
    expect(summary.stages.map((s) => s.name)).toEqual(['land', 'silver', 'gold', 'serve']);
    expect(summary.stages[3]!.result.top_customers).toEqual([
      { customer_id: 1, full_name: 'Ann Lee', total_spent_aud: '15.00' },
      { customer_id: 2, full_name: 'Bob Ray', total_spent_aud: '12.00' },
    ]);
    const again = JSON.parse((await lakehouse(args)).stdout) as { stages: { name: string; result: unknown }[] };
    expect(again.stages[0]!.result).toEqual({ landed: [], seen: 1 });

    const db = await PgliteClient.open(join(dir, 'wh', '_lakehouse/postgres/lakehouse'));
    try {
      const { rows } = await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'customer_purchase_summary' ORDER BY indexname");
      expect(rows.map((r) => r.indexdef).join('\n')).toMatch(/\(customer_id\)[\s\S]*total_spent_aud DESC/);
    } finally {
      await db.close();
    }
  });
});
