/**
 * Our full ingest of the order_items file (parse, every validation rule, foreign-key lookups, dedupe,
 * zstd Parquet, Delta commit) after products and orders were committed (not timed), run from the
 * compiled build in dist/ exactly as `npx lakehouse` runs it (no TypeScript loader in the process).
 * Prints one JSON line. Usage: node bench/ingest/ours.mjs <dir> [delta|iceberg]   (after `npm run build`; Delta by default)
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { openStore } from '../../dist/etl/storage/open-store.js';
import { ecommercePipeline } from '../../dist/pipelines/ecommerce/ecommerce-pipeline.js';
import { openContext } from '../../dist/pipelines/runner/lakehouse-context.js';
import { runPipeline } from '../../dist/pipelines/runner/run-pipeline.js';

const dir = process.argv[2];
const format = process.argv[3] ?? 'delta';
if (format !== 'delta' && format !== 'iceberg') throw new Error(`format must be delta or iceberg, got ${format}`);
const warehouse = join(dir, 'warehouse');
const raw = join(dir, 'raw');
// Hold order_items back while the dimensions are loaded.
mkdirSync(join(dir, 'held'), { recursive: true });
renameSync(join(raw, 'order_items'), join(dir, 'held', 'order_items'));
const context = openContext({ warehouse });
const run = () => runPipeline({ pipeline: ecommercePipeline, raw: openStore(raw), warehouse: context.warehouse, format, catalog: context.catalog });
const setup = await run();
if (setup.status !== 'succeeded') throw new Error(JSON.stringify(setup.error));
renameSync(join(dir, 'held', 'order_items'), join(raw, 'order_items'));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const summary = await run();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const items = summary.datasets.find((d) => d.name === 'order_items');
await context.close();
process.stdout.write(`${JSON.stringify({ status: summary.status, error: summary.error, rows: items?.accepted, rejected: items?.rejected, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
