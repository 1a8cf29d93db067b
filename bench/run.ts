/**
 * `npm run bench`: our full ingest of an order_items-shaped CSV into a date-partitioned Delta table
 * against DuckDB's plain CSV-to-partitioned-Parquet COPY of the same file, in the same run. Checks that
 * both hold the same rows (count and a checksum over the columns), prints one line per measure and
 * appends them to bench/RESULTS.md. Exits non-zero on a correctness mismatch, never on speed.
 * The machine is shared, so each size runs `--rounds` times (default 3), DuckDB and ours taking turns
 * on the same input, and the medians are reported (with the spread): one run of each swings by a
 * quarter either way with what other processes take.
 * Then runs the transaction-pattern measure (bench/transaction-patterns.ts, 1,000,000 rows end to end).
 * Usage: npm run bench [-- [--rounds N] <rows> ...]   (default 2,000,000); `npm run bench -- transaction-patterns [rows]` runs only that one.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateIngestInput } from './ingest/generate-input.js';
import { median } from './median.js';

const onlyPatterns = process.argv[2] === 'transaction-patterns';
const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args.splice(roundsAt, 2)[1]) : 3;
if (!(Number.isInteger(ROUNDS) && ROUNDS >= 1)) throw new Error('--rounds takes a whole number of at least 1');
const sizes = args.map(Number).filter((n) => n > 0);
const ROWS = onlyPatterns ? [] : sizes.length ? sizes : [2_000_000];

/** Hard-links every file under `from` into `to` (same tree): a run may move its raw files without touching the original. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const p = join(from, name);
    if (statSync(p).isDirectory()) linkTree(p, join(to, name));
    else linkSync(p, join(to, name));
  }
}

function child(script: string, args: string[]): Record<string, unknown> {
  // Our ingest runs from the compiled build (plain node, as users run it); the DuckDB side under tsx.
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const out = execFileSync(process.execPath, [...loader, '--no-warnings', join('bench', 'ingest', script), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

// Measure the code as it is now: compile it to dist/ first.
if (ROWS.length > 0) execFileSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

function bytesUnder(dir: string, filter: (path: string) => boolean): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) n += bytesUnder(p, filter);
    else if (filter(p)) n += s.size;
  }
  return n;
}

const CHECKSUM = (from: string) => `SELECT count(*)::BIGINT AS n, sum(id)::BIGINT AS ids, sum(order_id)::BIGINT AS orders, sum(product_id)::BIGINT AS products,
  sum(add_to_cart_order)::BIGINT AS carts, sum(reordered)::BIGINT AS reordered, count(days_since_prior_order)::BIGINT AS dspo_n,
  sum(days_since_prior_order)::BIGINT AS dspo, sum(epoch_us(order_timestamp::TIMESTAMP))::HUGEINT::VARCHAR AS ts, count(DISTINCT date)::BIGINT AS dates FROM ${from}`;

async function checksum(sql: string): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run("SET TimeZone = 'UTC'");
  const rows = (await c.runAndReadAll(sql)).getRowObjectsJson();
  c.closeSync();
  return JSON.stringify(rows[0]);
}

const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
let mismatch = false;
for (const rows of ROWS) {
  const dir = mkdtempSync(join(tmpdir(), 'lakehouse-bench-'));
  try {
    const csv = await generateIngestInput(join(dir, 'input'), rows);
    const inputMiB = statSync(csv).size / 2 ** 20;
    const loadBefore = loadavg()[0]!;
    const duckRuns: Record<string, unknown>[] = [];
    const ourRuns: Record<string, unknown>[] = [];
    const roundDir = (round: number): string => join(dir, `round-${round}`);
    for (let round = 0; round < ROUNDS; round++) {
      // Each round on fresh outputs; DuckDB first in even rounds, ours first in odd ones.
      linkTree(join(dir, 'input'), roundDir(round));
      const runDuck = (): void => void duckRuns.push(child('duckdb-copy.ts', [csv, join(roundDir(round), 'duckdb-out')]));
      const runOurs = (): void => void ourRuns.push(child('ours.mjs', [roundDir(round)]));
      for (const run of round % 2 === 0 ? [runDuck, runOurs] : [runOurs, runDuck]) run();
      if (round > 0) rmSync(roundDir(round - 1), { recursive: true, force: true });
    }
    // The last round's outputs are compared.
    const table = join(roundDir(ROUNDS - 1), 'warehouse', 'processed', 'ecommerce', 'order_items');
    const duckOut = join(roundDir(ROUNDS - 1), 'duckdb-out');
    // The machine is shared: the 1-minute load average around the runs says how much CPU others took.
    const load = `${loadBefore.toFixed(1)}/${loadavg()[0]!.toFixed(1)}`;
    const ourFiles = `read_parquet('${table}/**/*.parquet', hive_partitioning = true)`;
    const theirFiles = `read_parquet('${duckOut}/**/*.parquet', hive_partitioning = true)`;
    const [a, b] = [await checksum(CHECKSUM(ourFiles)), await checksum(CHECKSUM(theirFiles))];
    const same = a === b && ourRuns.every((o) => o.status === 'succeeded' && o.rejected === 0);
    if (!same) mismatch = true;
    const ourBytes = bytesUnder(table, (p) => p.endsWith('.parquet'));
    const theirBytes = bytesUnder(duckOut, (p) => p.endsWith('.parquet'));
    const rates = (runs: Record<string, unknown>[]) => runs.map((r) => rows / Number(r.seconds));
    const ourRate = median(rates(ourRuns));
    const duckRate = median(rates(duckRuns));
    const spread = (runs: Record<string, unknown>[]) => `${Math.round(Math.min(...rates(runs)))}-${Math.round(Math.max(...rates(runs)))}`;
    const peak = (runs: Record<string, unknown>[]) => Math.max(...runs.map((r) => Number(r.peakRssMiB)));
    const cpuPerRun = (runs: Record<string, unknown>[]) => median(runs.map((r) => Number(r.cpuSeconds))).toFixed(2);
    const [ourPeak, duckPeak] = [peak(ourRuns), peak(duckRuns)];
    const lines = [
      `rows=${rows} input=${inputMiB.toFixed(0)}MiB rounds=${ROUNDS}`,
      `duckdb_copy rows/s=${Math.round(duckRate)} (${spread(duckRuns)}) cpu_s=${cpuPerRun(duckRuns)} peak_rss_mib=${duckPeak} output_bytes=${theirBytes}`,
      `lakehouse_ingest rows/s=${Math.round(ourRate)} (${spread(ourRuns)}) cpu_s=${cpuPerRun(ourRuns)} peak_rss_mib=${ourPeak} output_bytes=${ourBytes}`,
      `ratio_speed=${(ourRate / duckRate).toFixed(2)} ratio_output=${(ourBytes / theirBytes).toFixed(2)} same_rows=${same} load=${load}`,
    ];
    for (const l of lines) console.log(l);
    if (!same) console.error(`checksum mismatch:\n ours   ${a}\n duckdb ${b}\n ${JSON.stringify(ourRuns)}`);
    appendFileSync(
      join('bench', 'RESULTS.md'),
      `| ${new Date().toISOString().slice(0, 10)} | ${machine}, load ${load} | \`npm run bench -- --rounds ${ROUNDS} ${rows}\` | ${rows} | ${Math.round(ourRate)} | ${Math.round(duckRate)} | ${(ourRate / duckRate).toFixed(2)} | ${ourPeak} | ${duckPeak} | ${(ourBytes / theirBytes).toFixed(2)} | ${same} |\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
let patternsFailed = false;
try {
  execFileSync(process.execPath, ['--import', 'tsx', '--no-warnings', join('bench', 'transaction-patterns.ts'), ...(onlyPatterns && sizes.length ? [String(sizes[0])] : [])], { stdio: 'inherit' });
} catch {
  patternsFailed = true;
}
process.exitCode = mismatch || patternsFailed ? 1 : 0;
