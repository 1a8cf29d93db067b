/**
 * Measure: append N order_items-shaped rows (9 columns, 15 dates) to a date-partitioned Delta table on
 * a local folder, streamed in 65,536-row batches. Prints one JSON line: rows, seconds, rows/s, peak RSS
 * (from the OS, getrusage maxrss), bytes written, files.
 * Usage: node --import tsx bench/delta-append.ts <rows> [dir]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as arrow from 'apache-arrow';
import { DeltaTable, write } from '../etl/delta/index.js';
import { openStore } from '../etl/storage/open-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../tests/support/fixtures.js';

const rows = Number(process.argv[2] ?? 2_000_000);
const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'bench-delta-'));
const BATCH = 65_536;

async function* batches(): AsyncIterable<arrow.RecordBatch> {
  for (let start = 0; start < rows; start += BATCH) {
    yield* orderItems(Math.min(BATCH, rows - start), start, { days: 15 }).batches;
  }
}

const table = await DeltaTable.create(openStore(dir), { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
const t0 = performance.now();
const m = await write(table, batches());
const seconds = (performance.now() - t0) / 1000;
const peakRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ measure: 'delta-append', rows, seconds: +seconds.toFixed(2), rowsPerSecond: Math.round(rows / seconds), peakRssMiB: Math.round(peakRssMiB), bytesWritten: m.bytesWritten, files: m.filesAdded }));
if (!process.argv[3]) rmSync(dir, { recursive: true, force: true });
