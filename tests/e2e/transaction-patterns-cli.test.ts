/** The transaction-pattern commands as a user runs them: generate, run, run again, query the detections table. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lakehouse } from '../support/cli.js';
import { tempDir } from '../support/stores.js';

test('generate banksim, run transaction-patterns, rerun finds nothing new, query the detections table', async () => {
  const dir = tempDir('tp-cli-');
  const gen = await lakehouse(['generate', 'banksim', '--rows', '5000', '--out', join(dir, 'data'), '--seed', '3']);
  expect(gen.code).toBe(0);
  const planted = JSON.parse(readFileSync(join(dir, 'data', 'planted.json'), 'utf8'));
  const args = ['run', 'transaction-patterns', '--source', join(dir, 'data', 'transactions.csv'), '--importance', join(dir, 'data', 'CustomerImportance.csv'), '--out', join(dir, 'out'), '--interval-ms', '0', '--json'];
  const run = await lakehouse(args);
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout);
  expect(summary).toMatchObject({ pipeline: 'transaction-patterns', status: 'succeeded', rowsProcessed: summary.ingest.rows, chunksProcessed: 1 });
  const files = readdirSync(join(dir, 'out', 'detections'));
  const lines = files.flatMap((f) => readFileSync(join(dir, 'out', 'detections', f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
  expect(lines.length).toBe(summary.totalDetections);
  expect(lines).toEqual(expect.arrayContaining([
    expect.objectContaining({ patternId: 'PatId2', ActionType: 'CHILD', customerName: planted.childCustomer, MerchantId: planted.childMerchant }),
    expect.objectContaining({ patternId: 'PatId3', ActionType: 'DEI-NEEDED', customerName: '', MerchantId: planted.deiMerchant }),
  ]));
  const again = await lakehouse(args);
  expect(JSON.parse(again.stdout)).toMatchObject({ chunksProcessed: 0, detections: 0, detectionFiles: 0, totalDetections: summary.totalDetections });
  const q = await lakehouse(['query', '--warehouse', join(dir, 'out'), '--output', 'json', 'SELECT pattern_id, merchant_id, customer_name FROM transaction_patterns.detections ORDER BY seq']);
  expect(q.code).toBe(0);
  expect(JSON.parse(q.stdout)).toEqual(lines.map((l) => ({ pattern_id: l.patternId, merchant_id: l.MerchantId, customer_name: l.customerName })));
});

test('missing flags are a usage error (exit 2)', async () => {
  const r = await lakehouse(['run', 'transaction-patterns', '--source', 'x.csv']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--importance');
});
