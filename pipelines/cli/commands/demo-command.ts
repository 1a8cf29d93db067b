/**
 * `lakehouse demo`: generate a seeded sample raw zone with deliberate defects, run the e-commerce
 * pipeline on the embedded defaults, run it again (nothing new to ingest), print the summaries and the reports.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runReport, REPORT_NAMES } from '../../../catalog/reports/run-report.js';
import { formatResult } from '../../../catalog/reports/format.js';
import { UsageError } from '../../../etl/errors.js';
import { generateEcommerceDemo } from '../../demo/ecommerce-demo-data.js';
import { openContext } from '../../runner/lakehouse-context.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js';
import { formatSummary } from '../summary-output.js';
import { runOnce } from './run-command.js';

/** Flags of `demo`. */
export interface DemoFlags {
  /** Folder for the demo's raw zone and warehouse (default ./lakehouse-demo). */
  dir?: string;
  /** delta (default) or iceberg. */
  format?: string;
  /** Seed of the sample data. */
  seed?: string;
  /** Print one JSON object instead of text. */
  json?: boolean;
}

const MARKER = '.lakehouse-demo';

function prepare(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER))) throw new UsageError(`${dir} exists and is not a lakehouse demo folder; choose another with --dir`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'created by lakehouse demo; safe to delete\n');
}

/** The `demo` command. */
export async function demoCommand(flags: DemoFlags, io: CliIo): Promise<number> {
  const dir = resolve(flags.dir ?? 'lakehouse-demo');
  const seed = flags.seed === undefined ? 42 : Number(flags.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer (got ${flags.seed})`);
  prepare(dir);
  const raw = join(dir, 'raw');
  const warehouse = join(dir, 'warehouse');
  io.progress(`generating sample data (seed ${seed}) in ${raw}`);
  const expected = await generateEcommerceDemo({ rawDir: raw, seed });
  if (flags.format !== undefined && flags.format !== 'delta' && flags.format !== 'iceberg') throw new UsageError(`--format must be delta or iceberg (got ${flags.format})`);
  // The demo runs on the embedded defaults only: no config file, no cloud.
  const settings = { raw, warehouse, format: (flags.format ?? 'delta') as 'delta' | 'iceberg' };
  const first = await runOnce('ecommerce', settings, io);
  const second = await runOnce('ecommerce', settings, io);
  const context = openContext(settings);
  const reports = [];
  try {
    const engine = await context.engine('ecommerce');
    for (const name of REPORT_NAMES) reports.push(await runReport(engine, name, { database: 'ecommerce', limit: 10 }));
  } finally {
    await context.close();
  }
  if (flags.json) {
    io.out(JSON.stringify({ ...first, rerun: second, expected, reports: Object.fromEntries(reports.map((r) => [r.name, r.rows])) }, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  } else {
    io.out(`Sample raw zone: ${raw}\nWarehouse:       ${warehouse}\n`);
    io.out(`First run (ingests the sample files, quarantines the defects):\n${formatSummary(first)}\n`);
    io.out(`Second run (the ledger says every file is ingested; nothing is read twice):\n${formatSummary(second)}\n`);
    for (const r of reports) io.out(`${r.title} (lakehouse report ${r.name}):\n${formatResult(r, 'table')}\n`);
    io.out(`Try: npx lakehouse query --warehouse ${warehouse} "SELECT rule, count(*) AS n FROM ecommerce.rejected_records GROUP BY rule ORDER BY n DESC"`);
  }
  return first.status === 'succeeded' && second.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
}
