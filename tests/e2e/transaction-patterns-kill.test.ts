/**
 * `lakehouse run transaction-patterns` SIGKILLed mid-stream (X and Y both in flight, detection files
 * already written), then run again: every chunk processed exactly once (the state's totals equal the
 * input's), no detection repeated, every detection file holds 50 but the last.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { openStore } from '../../etl/storage/open-store.js';
import { openStateStore } from '../../pipelines/transaction-patterns/state-store.js';
import { lakehouse } from '../support/cli.js';
import { chunkRows, detectionFiles, publishedFiles } from '../support/pattern-outputs.js';
import { tempDir } from '../support/stores.js';

const CUSTOMERS = 1230;
const PER_CUSTOMER = 80;
const ROWS = CUSTOMERS * PER_CUSTOMER;

/** 1,230 customers with 80 transactions of 10.00 at one merchant, customer after customer: 123 CHILD detections per 10,000-row chunk. */
function writeInput(dir: string): { source: string; importance: string; dataLines: string[] } {
  const dataLines: string[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const gender = c % 2 ? 'M' : 'F';
    for (let k = 0; k < PER_CUSTOMER; k++) dataLines.push(`${k % 180},'C${100000 + c}','2','${gender}','28007','M42','28007','es_contents',10.00,0`);
  }
  const source = join(dir, 'transactions.csv');
  writeFileSync(source, `step,customer,age,gender,zipcodeOri,merchant,zipMerchant,category,amount,fraud\n${dataLines.join('\n')}\n`);
  const importance = join(dir, 'CustomerImportance.csv');
  writeFileSync(importance, "Source,Target,Weight,typeTrans,fraud\n'C100000','M42',3.5,'es_contents',0\n");
  return { source, importance, dataLines };
}

/** Run `lakehouse <args>` and SIGKILL it once `ready()` holds (polled); resolves to the signal that ended it. */
function runUntil(args: string[], ready: () => boolean): Promise<NodeJS.Signals | null> {
  const tsx = pathToFileURL(join(process.cwd(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', tsx, '--no-warnings', join(process.cwd(), 'pipelines', 'cli', 'main.ts'), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const poll = setInterval(() => {
    if (ready()) child.kill('SIGKILL');
  }, 20);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      if (signal === 'SIGKILL') resolve(signal);
      else reject(new Error(`exited with ${code} before it was killed: ${stderr}`));
    });
  });
}

test('a SIGKILLed run resumes: every chunk once, no detection repeated, files of 50 but the last', async () => {
  const dir = tempDir('tp-kill-');
  const input = writeInput(dir);
  const out = join(dir, 'out');
  const args = (interval: string) => ['run', 'transaction-patterns', '--source', input.source, '--importance', input.importance, '--out', out, '--interval-ms', interval];

  // A chunk every 2.5 s: killed once two detection files exist, while X still has chunks to write.
  const detectionsDir = join(out, 'detections');
  const signal = await runUntil(args('2500'), () => publishedFiles(detectionsDir).length >= 2);
  expect(signal).toBe('SIGKILL');
  const before = detectionFiles(out).map((f) => f.lines);
  expect(before.length).toBeGreaterThanOrEqual(1);
  const position = JSON.parse(readFileSync(join(out, '_lakehouse', 'transaction-patterns', 'x-position.json'), 'utf8'));
  expect(position.done).toBe(false);

  const rerun = await lakehouse([...args('0'), '--json']);
  expect(rerun.stderr).not.toContain('Error');
  expect(rerun.code).toBe(0);
  const summary = JSON.parse(rerun.stdout);
  expect(summary).toMatchObject({ status: 'succeeded', totalDetections: CUSTOMERS, ingest: { done: true, rows: ROWS, nextChunk: 10 } });

  // X: the chunks hold every input row once, in order.
  expect(chunkRows(out)).toEqual(input.dataLines);

  // Y: the state's totals are the input's, so no chunk was folded in twice or skipped.
  const db = await openStateStore(join(out, '_lakehouse', 'transaction-patterns', 'pglite'));
  try {
    const [p] = await db.query<{ last_chunk: number; rows_processed: string; flushed_seq: string }>('SELECT last_chunk, rows_processed::text, flushed_seq::text FROM tp_progress');
    expect(p).toEqual({ last_chunk: 9, rows_processed: String(ROWS), flushed_seq: String(CUSTOMERS) });
    const [pairs] = await db.query<{ n: number; txns: string; amount: string; female: number; male: number }>(
      'SELECT count(*)::int AS n, sum(txn_count)::text AS txns, sum(amount_sum)::text AS amount, count(*) FILTER (WHERE has_female)::int AS female, count(*) FILTER (WHERE has_male)::int AS male FROM tp_customer_merchant',
    );
    expect(pairs).toEqual({ n: CUSTOMERS, txns: String(ROWS), amount: `${ROWS * 10}.00`, female: CUSTOMERS / 2, male: CUSTOMERS / 2 });
    const merchants = await db.query('SELECT name, txn_count::text AS txns, female, male FROM tp_merchants');
    expect(merchants).toEqual([{ name: 'M42', txns: String(ROWS), female: CUSTOMERS / 2, male: CUSTOMERS / 2 }]);
    const [d] = await db.query<{ n: number; distinct_keys: number; max_seq: string }>(
      'SELECT count(*)::int AS n, count(DISTINCT customer)::int AS distinct_keys, max(seq)::text AS max_seq FROM tp_detections',
    );
    expect(d).toEqual({ n: CUSTOMERS, distinct_keys: CUSTOMERS, max_seq: String(CUSTOMERS) });
  } finally {
    await db.close();
  }

  // Output: files of 50 but the last, each detection once, the files written before the kill unchanged.
  const files = detectionFiles(out).map((f) => f.lines);
  expect(files.map((f) => f.length)).toEqual([...Array(Math.floor(CUSTOMERS / 50)).fill(50), CUSTOMERS % 50]);
  expect(files.slice(0, before.length)).toEqual(before);
  const keys = files.flat().map((l) => `${l.patternId}|${l.MerchantId}|${l.customerName}`);
  expect(new Set(keys).size).toBe(CUSTOMERS);
  expect(keys.every((k) => k.startsWith('PatId2|M42|C'))).toBe(true);

  const engine = await DuckDbEngine.open({ catalog: new EmbeddedCatalog(openStore(out)) });
  try {
    const r = await engine.query<{ n: number | bigint; c: number | bigint }>('SELECT count(*) AS n, count(DISTINCT customer_name) AS c FROM transaction_patterns.detections');
    expect([Number(r.rows[0]!.n), Number(r.rows[0]!.c)]).toEqual([CUSTOMERS, CUSTOMERS]);
  } finally {
    await engine.close();
  }
}, 120_000);
