/**
 * Validation throughput on order_items-shaped CSV: N rows (seeded, 9 columns) written to a temp file,
 * then read back three ways, each consuming every accepted Arrow batch:
 *   parse only     — tokenize the file into CSV batches (the floor);
 * All three read the file through `openCsv` with `reuseBatches` (as the validator does).
 *   without checks — the validator's decode path alone: every column decoded from the CSV bytes and
 *                    built into Arrow batches of the contract schema (no not_null, range, row rules,
 *                    foreign keys, dedupe or holding of the output);
 *   with checks    — the full order_items contract: types, not_null, range (add_to_cart_order >= 1,
 *                    reordered in {0,1}), date = UTC date of order_timestamp, both foreign keys (against
 *                    committed-key sets of orders and products), primary-key dedupe.
 * Prints rows/s (wall and CPU, median of the rounds) and peak RSS.
 * Usage: node --import tsx bench/validate.ts [rows=2000000] [rounds=3]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSource, openCsv } from '../validation/csv/index.js';
import { orderItems } from '../validation/contracts/ecommerce.js';
import { buildRecordBatch } from '../validation/arrow-build.js';
import { decodeBatch } from '../validation/decoded-batch.js';
import { fileInput, int32KeySetOf, ValidationRun, type DatasetContract } from '../validation/index.js';
import { generateOrderItems } from './csv-parse.js';
import { median } from './median.js';

const rows = Number(process.argv[2] ?? 2_000_000);
const rounds = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'bench-validate-'));
const path = join(dir, 'order_items.csv');
const bytes = generateOrderItems(rows, 42);
writeFileSync(path, bytes);
const fileMB = bytes.length / 1e6;

/** Decode + Arrow build only, over the same reader and contract. */
async function decodeOnce(contract: DatasetContract): Promise<number> {
  const specs = contract.columns.map((c) => c.spec);
  const fields = specs.map((_, i) => i);
  let n = 0;
  for await (const csv of await openCsv(fileSource(path), { ...contract.csv, reuseBatches: true })) {
    n += buildRecordBatch(contract.arrowSchema, decodeBatch(csv, specs, fields), undefined).numRows;
  }
  return n;
}

// Keys "committed" by earlier runs: every order id the generator can produce, and every product id.
const orderIds = new Int32Array(rows + 2).map((_, i) => 10_000 + i);
const orderKeys = int32KeySetOf(orderIds); // what loadDeltaKeys builds for a dense id range
const productKeys = int32KeySetOf(new Int32Array(50_000).map((_, i) => i + 1));

async function validateOnce(contract: DatasetContract): Promise<number> {
  const run = new ValidationRun({
    runId: 'bench',
    committedKeys: async (dataset) => (dataset === 'orders' ? orderKeys : dataset === 'products' ? productKeys : undefined),
  });
  const result = await run.validate(contract, [fileInput(path)]);
  let n = 0;
  for await (const batch of result.accepted) n += batch.numRows;
  if (result.summary.rejected !== 0) throw new Error(`${result.summary.rejected} rows rejected: ${JSON.stringify(result.rejected.slice(0, 3))}`);
  return n;
}

async function parseOnce(): Promise<number> {
  let n = 0;
  for await (const batch of await openCsv(fileSource(path), { reuseBatches: true })) n += batch.rowCount;
  return n;
}

async function measure(label: string, f: () => Promise<number>): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = await f();
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    if (n !== rows) throw new Error(`${label}: ${n} rows, expected ${rows}`);
    wall.push(rows / s);
    cpu.push(rows / ((c.user + c.system) / 1e6));
  }
  const fmt = (r: number): string => `${(r / 1e6).toFixed(2)}M rows/s`;
  console.log(`${label.padEnd(16)} wall ${fmt(median(wall))} (best ${fmt(Math.max(...wall))}) | cpu ${fmt(median(cpu))} | ${(fileMB * median(wall) / rows).toFixed(0)} MB/s`);
}

try {
  console.log(`order_items-shaped CSV: ${rows} rows, ${fileMB.toFixed(1)} MB, seed 42, ${rounds} rounds, node ${process.version}`);
  await measure('parse only', parseOnce);
  await measure('without checks', () => decodeOnce(orderItems));
  await measure('with checks', () => validateOnce(orderItems));
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (includes the ${fileMB.toFixed(0)} MB generated input kept in memory)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
