/**
 * CSV tokenize + decode on the calling thread vs on the decode worker thread (`openDecodedCsv`), over one
 * order_items file with the order_items contract, in three modes: `main` (in-thread, as the validator
 * reads today), `worker` (the worker opens the file itself: a `LocalFileSource`), `posted` (the worker,
 * with this thread reading the file and posting its chunks, as for a non-local source). Each round takes
 * the input's fingerprint (as the validator does) and, per batch, optionally burns `work` ms of main-thread CPU to stand in for the
 * validator's own per-batch work (checks, dedupe, Arrow building). Prints per mode and round: wall
 * seconds, main-thread busy seconds (event-loop utilisation x wall: what the consumer's thread spent,
 * not waiting; on a loaded machine it also counts time the thread was runnable but descheduled), and
 * process CPU seconds (all threads). The machine may be shared: rounds alternate modes.
 * Usage: node --import tsx bench/csv-decode-threaded.ts [file=/tmp/b2m.orig/raw/order_items/order_items.csv] [rounds=3] [work=0]
 */
import { performance } from 'node:perf_hooks';
import { fileSource } from '../validation/csv/index.js';
import { LocalFileSource } from '../validation/csv/local-file-source.js';
import { orderItems } from '../validation/contracts/ecommerce.js';
import { openDecodedCsv } from '../validation/decoded-csv.js';
import type { DecodeThread } from '../validation/decoded-csv-reader.js';
import { matchHeader } from '../validation/header-check.js';
import { emptyFingerprint } from '../validation/input-fingerprint.js';
import { median } from './median.js';

const file = process.argv[2] ?? '/tmp/b2m.orig/raw/order_items/order_items.csv';
const rounds = Number(process.argv[3] ?? 3);
const workMs = Number(process.argv[4] ?? 0);
const specs = orderItems.columns.map((c) => c.spec);
const names = orderItems.columns.map((c) => c.name);

/** Keeps this thread busy for `ms` milliseconds. */
function burn(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

interface Round {
  wall: number;
  mainBusy: number;
  cpu: number;
  rows: number;
  crc: number;
}

type Mode = 'main' | 'worker' | 'posted';
const MODES: readonly Mode[] = ['main', 'worker', 'posted'];

async function once(mode: Mode): Promise<Round> {
  const thread: DecodeThread = mode === 'main' ? 'main' : 'worker';
  const fingerprint = emptyFingerprint();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const source = mode === 'posted' ? fileSource(file) : new LocalFileSource(file);
  const reader = await openDecodedCsv(source, {
    ...orderItems.csv,
    thread,
    fingerprint,
    plan: (header) => {
      const match = matchHeader(header, names);
      return match.ok ? { specs, fields: match.fields } : undefined;
    },
  });
  let rows = 0;
  try {
    for await (const { csv, decoded } of reader) {
      if (decoded === undefined) throw new Error('header mismatch');
      rows += csv.rowCount;
      if (workMs > 0) burn(workMs);
    }
  } finally {
    await reader.close();
  }
  const wall = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  return { wall, mainBusy: elu.utilization * wall, cpu: (cpu.user + cpu.system) / 1e6, rows, crc: fingerprint.crc };
}

const fmt = (r: Round): string => `wall ${r.wall.toFixed(3)} s  main busy ${r.mainBusy.toFixed(3)} s  cpu ${r.cpu.toFixed(3)} s  rows ${r.rows}  crc ${r.crc.toString(16)}`;
console.log(`${file}, ${rounds} rounds, ${workMs} ms of main-thread work per batch`);
const results: Record<Mode, Round[]> = { main: [], worker: [], posted: [] };
for (const mode of MODES) await once(mode); // starts the worker (kept idle) and warms every path
for (let i = 0; i < rounds; i++) {
  for (const mode of MODES) {
    const r = await once(mode);
    results[mode].push(r);
    console.log(`${mode.padEnd(6)} ${fmt(r)}`);
  }
}
for (const mode of MODES) {
  const wall = median(results[mode].map((r) => r.wall));
  const busy = median(results[mode].map((r) => r.mainBusy));
  console.log(`${mode.padEnd(6)} median wall ${wall.toFixed(3)} s, median main busy ${busy.toFixed(3)} s`);
}
