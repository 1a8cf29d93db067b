/**
 * Benchmark of the transaction-pattern pipeline: a seeded BankSim input of N rows (generated first, not
 * timed), then one end-to-end run with interval 0 (Mechanism X chunking the file, Mechanism Y on a fresh
 * embedded PGlite, detection files and the Delta table), timed from the call to its return. Prints one
 * line and appends a row to bench/RESULTS.md, with the load average before and after (other work on the
 * machine slows the run down).
 * Usage: node --import tsx bench/transaction-patterns.ts [rows=1000000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeBankSim } from '../pipelines/transaction-patterns/banksim-files.js';
import { runTransactionPatterns } from '../pipelines/transaction-patterns/transaction-patterns-run.js';

const rows = Number(process.argv[2] ?? 1_000_000);

/** Insert a result line above the ingest table of bench/RESULTS.md (whose rows are appended at the end of the file). */
function addResult(line: string): void {
  const path = join('bench', 'RESULTS.md');
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf('\n| date |');
  writeFileSync(path, at < 0 ? `${text.trimEnd()}\n\n${line}\n` : `${text.slice(0, at)}\n${line}\n${text.slice(at)}`);
}
const dir = mkdtempSync(join(tmpdir(), 'tp-bench-'));
try {
  const data = await writeBankSim(join(dir, 'data'), { rows, seed: 42 });
  let firstChunkMs = 0;
  let firstBatch = false;
  let firstRows = 0;
  const loadBefore = loadavg()[0]!;
  const t0 = performance.now();
  const summary = await runTransactionPatterns({
    source: join(dir, 'data', 'transactions.csv'),
    importance: join(dir, 'data', 'CustomerImportance.csv'),
    out: join(dir, 'out'),
    intervalMs: 0,
    onProgress: (e) => {
      if (e.mechanism !== 'Y') return;
      if (e.chunk === 0) {
        // The chunks of the first batch are reported together, right after its commit.
        firstChunkMs = performance.now() - t0;
        firstBatch = true;
        setImmediate(() => (firstBatch = false));
      }
      if (firstBatch) firstRows += e.rows;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const steady = (summary.rowsProcessed - firstRows) / (seconds - firstChunkMs / 1000);
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  const load = `${loadBefore.toFixed(1)}/${loadavg()[0]!.toFixed(1)}`;
  const line =
    `transaction-patterns rows=${data.rows} status=${summary.status} seconds=${seconds.toFixed(1)} rows/s=${Math.round(data.rows / seconds)} ` +
    `rows/s_after_first_commit=${Math.round(steady)} startup_s=${(firstChunkMs / 1000).toFixed(1)} detections=${summary.totalDetections} files=${summary.detectionFiles} peak_rss_mib=${peak} load=${load}`;
  console.log(line);
  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  addResult(
    `- Transaction patterns (${new Date().toISOString().slice(0, 10)}, ${machine}, \`node --import tsx bench/transaction-patterns.ts ${rows}\`): ` +
      `${data.rows} rows end to end in ${seconds.toFixed(1)} s = ${Math.round(data.rows / seconds)} rows/s ` +
      `(${(firstChunkMs / 1000).toFixed(1)} s to the first commit: create the PGlite database in its worker thread, load the importance file, process the first batch of chunks; ` +
      `${Math.round(steady)} rows/s after it), ${summary.totalDetections} detections in ${summary.detectionFiles} files, peak RSS ${peak} MiB, load average ${load} (1-minute, before/after).`,
  );
  if (summary.status !== 'succeeded' || summary.rowsProcessed !== data.rows) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
