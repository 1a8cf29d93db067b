/** The `lakehouse` CLI as a user runs it: help, exit codes, the JSON summary, queries, reports, maintenance, a crash mid-run. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEcommerceDemo, type DemoExpectations } from '../../pipelines/demo/ecommerce-demo-data.js';
import type { RunSummary } from '../../pipelines/runner/run-summary.js';
import { lakehouse } from '../support/cli.js';
import { tempDir } from '../support/stores.js';

describe('help and usage errors', () => {
  test('--help lists every command; each command has help with an example', async () => {
    const top = await lakehouse(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['demo', 'run', 'query', 'report', 'tables', 'history', 'optimize', 'vacuum']) expect(top.stdout).toContain(cmd);
    const run = await lakehouse(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Example:');
    expect(run.stdout).toContain('--warehouse');
  });

  test('bad usage and bad configuration exit 2 with a message naming the problem', async () => {
    const dir = tempDir();
    const unknown = await lakehouse(['run', 'nope', '--raw', dir, '--warehouse', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown pipeline nope');
    const noWarehouse = await lakehouse(['query', 'SELECT 1'], { cwd: dir });
    expect(noWarehouse.code).toBe(2);
    expect(noWarehouse.stderr).toContain('no warehouse');
    writeFileSync(join(dir, 'lakehouse.config.json'), JSON.stringify({ warehouse: dir, catalog: { type: 'hive' } }));
    const badConfig = await lakehouse(['tables'], { cwd: dir });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toMatch(/field catalog\.type/);
    const badFlag = await lakehouse(['run', 'ecommerce', '--format', 'orc']);
    expect(badFlag.code).toBe(2);
  });
});

describe('a warehouse driven from the command line', () => {
  let root: string;
  let raw: string;
  let warehouse: string;
  let expected: DemoExpectations;
  beforeAll(async () => {
    root = tempDir();
    raw = join(root, 'raw');
    warehouse = join(root, 'warehouse');
    expected = await generateEcommerceDemo({ rawDir: raw, seed: 7, days: 3, ordersPerDay: 60, products: 80 });
  });

  test('run --json prints one summary object: read = accepted + rejected, the injected rejections exactly', async () => {
    const first = await lakehouse(['run', 'ecommerce', '--raw', raw, '--warehouse', warehouse, '--json']);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as RunSummary;
    expect(summary).toMatchObject({ pipeline: 'ecommerce', status: 'succeeded' });
    expect(summary.datasets.map((d) => d.name)).toEqual(['products', 'orders', 'order_items']);
    for (const d of summary.datasets) {
      expect(d.read).toBe(d.accepted + d.rejected);
      expect(d.read).toBe(expected.read[d.name]);
      expect(d.rejectedByRule).toEqual(expected.rejected[d.name]);
      expect(d.tableVersion).toBeGreaterThanOrEqual(0);
    }
    const second = JSON.parse((await lakehouse(['run', 'ecommerce', '--raw', raw, '--warehouse', warehouse, '--json'])).stdout) as RunSummary;
    expect(second.datasets.every((d) => d.read === 0 && d.filesIngested === 0)).toBe(true);
  });

  test('query, report, tables, history, optimize and vacuum', async () => {
    const q = await lakehouse(['query', '--warehouse', warehouse, '--output', 'json', 'SELECT rule, count(*) AS n FROM ecommerce.rejected_records GROUP BY rule ORDER BY rule']);
    expect(q.code).toBe(0);
    const rows = JSON.parse(q.stdout) as { rule: string; n: number }[];
    const total = Object.values(expected.rejected).flatMap((r) => Object.entries(r));
    const byRule: Record<string, number> = {};
    for (const [rule, n] of total) byRule[rule] = (byRule[rule] ?? 0) + n;
    expect(Object.fromEntries(rows.map((r) => [r.rule, Number(r.n)]))).toEqual(byRule);
    const report = await lakehouse(['report', 'daily_sales', '--warehouse', warehouse, '--output', 'csv']);
    expect(report.code).toBe(0);
    const csvLines = report.stdout.trim().split(/\r?\n/);
    expect(csvLines[0]).toBe('date,orders,items,revenue,average_order_value');
    expect(csvLines).toHaveLength(1 + 3);
    const tables = await lakehouse(['tables', '--warehouse', warehouse, '--output', 'json']);
    expect((JSON.parse(tables.stdout) as { table: string }[]).map((t) => t.table).sort()).toEqual(['ecommerce.order_items', 'ecommerce.orders', 'ecommerce.products', 'ecommerce.rejected_records']);
    const history = await lakehouse(['history', 'ecommerce.orders', '--warehouse', warehouse, '--output', 'json']);
    expect((JSON.parse(history.stdout) as { operation: string }[]).map((h) => h.operation)).toContain('MERGE');
    expect((await lakehouse(['optimize', 'ecommerce.order_items', '--warehouse', warehouse])).code).toBe(0);
    const vacuum = await lakehouse(['vacuum', 'ecommerce.order_items', '--warehouse', warehouse, '--dry-run']);
    expect(vacuum.code).toBe(0);
    expect(vacuum.stdout).toMatch(/would delete \d+ file/);
    const unknownTable = await lakehouse(['history', 'ecommerce.nope', '--warehouse', warehouse]);
    expect(unknownTable.code).toBe(1);
    expect(unknownTable.stderr).toContain('ecommerce.nope');
  });

  test('a run killed mid-way, then run again: nothing lost, nothing twice', async () => {
    const dir = tempDir();
    const raw2 = join(dir, 'raw');
    const wh2 = join(dir, 'warehouse');
    const exp = await generateEcommerceDemo({ rawDir: raw2, seed: 11, days: 2, ordersPerDay: 50, products: 60 });
    const killed = await lakehouse(['run', 'ecommerce', '--raw', raw2, '--warehouse', wh2], { killWhen: 'commit order_items' });
    expect(killed.signal).toBe('SIGKILL');
    const again = await lakehouse(['run', 'ecommerce', '--raw', raw2, '--warehouse', wh2, '--json']);
    expect(again.code).toBe(0);
    const q = async (sql: string) => Number((JSON.parse((await lakehouse(['query', '--warehouse', wh2, '--output', 'json', sql])).stdout) as { n: number }[])[0]!.n);
    const accepted = (ds: string) => exp.read[ds]! - Object.values(exp.rejected[ds] ?? {}).reduce((a, b) => a + b, 0);
    expect(await q('SELECT count(*) AS n FROM ecommerce.products')).toBe(accepted('products'));
    expect(await q('SELECT count(*) AS n FROM ecommerce.orders')).toBe(accepted('orders'));
    expect(await q('SELECT count(*) AS n FROM ecommerce.order_items')).toBe(accepted('order_items'));
    const rejected = Object.values(exp.rejected).flatMap((r) => Object.values(r)).reduce((a, b) => a + b, 0);
    expect(await q('SELECT count(*) AS n FROM ecommerce.rejected_records')).toBe(rejected);
    // A further run finds nothing new.
    const third = JSON.parse((await lakehouse(['run', 'ecommerce', '--raw', raw2, '--warehouse', wh2, '--json'])).stdout) as RunSummary;
    expect(third.datasets.every((d) => d.read === 0)).toBe(true);
  });
});
