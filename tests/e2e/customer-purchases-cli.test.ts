/** `lakehouse run customer-purchases --raw <dir> --warehouse <dir>` as a user runs it, on the embedded PGlite. */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { PgliteClient } from '../../pipelines/postgres/pglite-client.js';
import { realServerWanted, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
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

  test('--rates prices a currency the default table lacks; "rates" in lakehouse.config.json does too; a bad pair is a usage error', async () => {
    const dir = tempDir('cp-rates-cli-');
    mkdirSync(join(dir, 'raw'));
    writeFileSync(join(dir, 'raw', 'p.csv'), `${CSV}\n`);
    const flagged = await lakehouse(['run', 'customer-purchases', '--raw', join(dir, 'raw'), '--warehouse', join(dir, 'wh'), '--rates', 'USD=1.5,AUD=1,JPY=0.0098', '--json']);
    expect(flagged.code).toBe(0);
    const summary = JSON.parse(flagged.stdout) as { datasets: { accepted: number; rejected: number }[]; stages: { result: { top_customers?: unknown } }[] };
    expect(summary.datasets[0]).toMatchObject({ accepted: 3, rejected: 0 });
    expect(summary.stages[3]!.result.top_customers).toEqual([
      { customer_id: 1, full_name: 'Ann Lee', total_spent_aud: '15.00' },
      { customer_id: 2, full_name: 'Bob Ray', total_spent_aud: '12.00' },
      { customer_id: 3, full_name: 'Cat Ng', total_spent_aud: '0.05' },
    ]);
    const config = join(dir, 'lakehouse.config.json');
    writeFileSync(config, JSON.stringify({ warehouse: join(dir, 'wh2'), rates: { USD: 2, AUD: 1, JPY: 0.01 } }));
    const configured = await lakehouse(['run', 'customer-purchases', '--raw', join(dir, 'raw'), '--config', config, '--json']);
    expect(configured.code).toBe(0);
    const top = (JSON.parse(configured.stdout) as { stages: { result: { top_customers?: unknown } }[] }).stages[3]!.result.top_customers;
    expect(top).toEqual([
      { customer_id: 1, full_name: 'Ann Lee', total_spent_aud: '20.00' },
      { customer_id: 2, full_name: 'Bob Ray', total_spent_aud: '12.00' },
      { customer_id: 3, full_name: 'Cat Ng', total_spent_aud: '0.05' },
    ]);
    const bad = await lakehouse(['run', 'customer-purchases', '--raw', join(dir, 'raw'), '--warehouse', join(dir, 'wh3'), '--rates', 'USD:1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--rates: "USD:1.5" is not CODE=rate/);
  });

  let server: PostgresServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });
  if (realServerWanted()) {
    test('a real server: --postgres URL --database; key and index; a re-run leaves it identical; the config\'s "postgres" serves a later correction', async () => {
      server = await startPostgresServer();
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE shop');
      await admin.end();
      const dir = tempDir('cp-pg-');
      mkdirSync(join(dir, 'raw'));
      writeFileSync(join(dir, 'raw', 'a.csv'), `${CSV}\n`);
      const args = ['run', 'customer-purchases', '--raw', join(dir, 'raw'), '--warehouse', join(dir, 'wh'), '--postgres', server.url, '--database', 'shop', '--json'];
      const first = await lakehouse(args);
      expect(first.stderr).not.toMatch(/error/i);
      expect(first.code).toBe(0);
      const read = async () => {
        const c = new pg.Client({ connectionString: server!.url.replace(/\/postgres$/, '/shop') });
        await c.connect();
        try {
          const { rows } = await c.query('SELECT customer_id, full_name, email, total_spent_aud::text AS total, updated_at FROM customer_purchase_summary ORDER BY customer_id');
          const { rows: indexes } = await c.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'customer_purchase_summary' ORDER BY indexname");
          return { rows: rows as Record<string, unknown>[], indexes: indexes.map((r: { indexdef: string }) => r.indexdef).join('\n') };
        } finally {
          await c.end();
        }
      };
      const before = await read();
      expect(before.rows.map((r) => `${String(r.customer_id)} ${String(r.full_name)} ${String(r.total)}`)).toEqual(['1 Ann Lee 15.00', '2 Bob Ray 12.00']);
      expect(before.indexes).toMatch(/\(customer_id\)[\s\S]*total_spent_aud DESC/);
      const again = JSON.parse((await lakehouse(args)).stdout) as { status: string; datasets: { read: number }[] };
      expect(again).toMatchObject({ status: 'succeeded', datasets: [{ read: 0 }] });
      expect(await read()).toEqual(before);
      // A later file corrects purchase 2; this time the URL comes from "postgres" in lakehouse.config.json.
      writeFileSync(join(dir, 'raw', 'b.csv'), `${CSV.split('\n')[0]}\n2,Bob,Ray,bob@example.com,2,2026-01-02,14.00,AUD\n`);
      const config = join(dir, 'lakehouse.config.json');
      writeFileSync(config, JSON.stringify({ warehouse: join(dir, 'wh'), raw: join(dir, 'raw'), postgres: server.url }));
      const later = await lakehouse(['run', 'customer-purchases', '--config', config, '--database', 'shop', '--json']);
      expect(JSON.parse(later.stdout)).toMatchObject({ status: 'succeeded', datasets: [{ read: 1 }] });
      const after = await read();
      expect(after.rows.map((r) => `${String(r.customer_id)} ${String(r.full_name)} ${String(r.total)}`)).toEqual(['1 Ann Lee 15.00', '2 Bob Ray 14.00']);
      expect(after.rows[0]).toEqual(before.rows[0]); // untouched row keeps its updated_at
    });
  }
});
