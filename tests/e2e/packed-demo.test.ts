/**
 * `lakehouse demo` as a new user meets it: the package packed with `npm pack`, installed into an empty
 * folder, and run with `npx lakehouse demo`: it works offline (no cloud) and reports exactly the
 * defects the sample data was generated with.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/stores.js';

test('npm pack, install in a temp folder, npx lakehouse demo', () => {
  const work = tempDir('lakehouse-pack-');
  execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  expect(tarball).toMatch(/^lakehouse-etl-.*\.tgz$/);
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'demo-user', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', join(work, tarball)], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'] });
  const env = { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', NODE_OPTIONS: '' }; // any cloud call would fail
  const out = execFileSync('npx', ['lakehouse', 'demo', '--dir', join(app, 'demo'), '--json'], { cwd: app, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const result = JSON.parse(out) as {
    status: string;
    datasets: { name: string; read: number; accepted: number; rejected: number; rejectedByRule: Record<string, number> }[];
    rerun: { datasets: { read: number }[] };
    expected: { read: Record<string, number>; rejected: Record<string, Record<string, number>> };
    reports: Record<string, unknown[]>;
  };
  expect(result.status).toBe('succeeded');
  for (const d of result.datasets) {
    expect(d.read).toBe(result.expected.read[d.name]);
    expect(d.read).toBe(d.accepted + d.rejected);
    expect(d.rejectedByRule).toEqual(result.expected.rejected[d.name]);
  }
  expect(result.rerun.datasets.every((d) => d.read === 0)).toBe(true);
  expect(Object.keys(result.reports).sort()).toEqual(['daily_sales', 'data_quality', 'department_items', 'top_products']);
  expect(result.reports.daily_sales).toHaveLength(5);
}, 600_000);
