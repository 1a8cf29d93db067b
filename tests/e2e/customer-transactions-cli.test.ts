/** `lakehouse run customer-transactions` as a user runs it, on the embedded PGlite and on a real PostgreSQL server (--postgres, --database, --table). */
import { afterAll, describe, expect, test } from '@jest/globals';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { realServerWanted, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { lakehouse } from '../support/cli.js';
import { tempDir } from '../support/stores.js';

const REAL = '/work/shared/data/sertis/transaction.csv';

function sourceDir(): { dir: string; file: string } {
  const dir = tempDir('ct-cli-');
  mkdirSync(join(dir, 'in'));
  const file = join(dir, 'in', 'transaction.csv');
  copyFileSync(REAL, file);
  return { dir, file };
}

describe('lakehouse run customer-transactions', () => {
  test('embedded PGlite: --json summary, exit 0; a bad --source is exit 2', async () => {
    const { dir, file } = sourceDir();
    const run = await lakehouse(['run', 'customer-transactions', '--source', file, '--warehouse', join(dir, 'wh'), '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { status: string; datasets: { name: string; read: number; accepted: number; rejected: number }[]; stages: { name: string }[] };
    expect(summary.status).toBe('succeeded');
    expect(summary.datasets[0]).toMatchObject({ name: 'transactions', read: 13355 });
    expect(summary.stages.map((s) => s.name)).toEqual(['land', 'silver', 'gold', 'serve']);
    const q = await lakehouse(['query', '--warehouse', join(dir, 'wh'), '--output', 'json', "SELECT favourite_product, longest_streak FROM customer_transactions.customers WHERE customer_id = '0023938'"]);
    expect(JSON.parse(q.stdout)).toEqual([{ favourite_product: 'PURA250', longest_streak: 2 }]);
    const bad = await lakehouse(['run', 'customer-transactions', '--source', join(dir, 'missing.csv'), '--warehouse', join(dir, 'wh2'), '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/does not exist/);
  });

  let server: PostgresServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });
  if (realServerWanted()) {
    test('a real server: --postgres URL --database --table, and a re-run leaves the table identical', async () => {
      server = await startPostgresServer();
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE serving');
      await admin.end();
      const { dir, file } = sourceDir();
      const args = ['run', 'customer-transactions', '--source', file, '--warehouse', join(dir, 'wh'), '--postgres', server.url, '--database', 'serving', '--table', 'customer_summary', '--json'];
      expect((await lakehouse(args)).code).toBe(0);
      const read = async () => {
        const c = new pg.Client({ connectionString: server!.url.replace(/\/postgres$/, '/serving') });
        await c.connect();
        const { rows } = await c.query('SELECT customer_id, favourite_product, longest_streak, updated_at FROM customer_summary ORDER BY customer_id');
        await c.end();
        return rows as { customer_id: string; favourite_product: string; longest_streak: number }[];
      };
      const first = await read();
      expect(first).toHaveLength(885);
      expect(first.find((r) => r.customer_id === '0023938')).toMatchObject({ favourite_product: 'PURA250', longest_streak: 2 });
      expect((await lakehouse(args)).code).toBe(0);
      expect(await read()).toEqual(first);
    });
  }
});
