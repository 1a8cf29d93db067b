/**
 * Micro benchmark of the CSV reader: N order_items-shaped rows (seeded) generated in memory, then
 * tokenize only, and tokenize + decode every column; then the same through `openCsv` from memory, from a
 * temporary file, and gzipped. Rates are given per wall-clock second and per CPU second (steadier on a
 * shared machine). Usage: node --import tsx bench/csv-parse.ts [rows=2000000] [rounds=5]
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  bytesSource,
  CsvTokenizer,
  fileSource,
  decodeBool,
  decodeDate,
  decodeInt32,
  decodeInt64,
  decodeTimestamp,
  openCsv,
  type CsvBatch,
} from '../validation/csv/index.js';

const HEADER = 'id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date\n';

/** Mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Generates `rows` order_items rows as UTF-8 bytes, header first. */
export function generateOrderItems(rows: number, seed = 42): Uint8Array {
  const rand = prng(seed);
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  let lines: string[] = [HEADER.trimEnd()];
  let orderId = 10000;
  let cart = 1;
  let user = 1990;
  let days = '10';
  let ts = '';
  let date = '';
  const newOrder = (): void => {
    orderId++;
    cart = 1;
    user = 1 + Math.floor(rand() * 200000);
    days = rand() < 0.06 ? '' : String(Math.floor(rand() * 31));
    const m = 1 + Math.floor(rand() * 12);
    const d = 1 + Math.floor(rand() * 28);
    date = `2025-${p2(m)}-${p2(d)}`;
    ts = `${date}T${p2(Math.floor(rand() * 24))}:${p2(Math.floor(rand() * 60))}:${p2(Math.floor(rand() * 60))}`;
  };
  newOrder();
  for (let i = 1; i <= rows; i++) {
    if (rand() < 0.1) newOrder();
    lines.push(`${i},${orderId},${user},${days},${1 + Math.floor(rand() * 50000)},${cart++},${rand() < 0.6 ? 1 : 0},${ts},${date}`);
    if (lines.length >= 50_000) {
      parts.push(enc.encode(lines.join('\n') + '\n'));
      lines = [];
    }
  }
  if (lines.length > 0) parts.push(enc.encode(lines.join('\n') + '\n'));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Feeds `bytes` to a tokenizer in 1 MiB chunks; with `recycle`, each batch's memory is reused after `onBatch`. */
function tokenize(bytes: Uint8Array, recycle: boolean, onBatch: (b: CsvBatch) => void): void {
  const t = new CsvTokenizer();
  const CHUNK = 1 << 20;
  const take = (batches: CsvBatch[]): void => {
    for (const b of batches) {
      onBatch(b);
      if (recycle) t.recycle(b);
    }
  };
  for (let off = 0; off < bytes.length; off += CHUNK) take(t.push(bytes.subarray(off, Math.min(bytes.length, off + CHUNK))));
  take(t.finish());
}

let sink = 0;
/** Decodes every column as a loader would: id int64, the other ids/counts int32, reordered bool, timestamp, date. */
function decodeAll(b: CsvBatch): void {
  sink += decodeInt64(b, 0).errorCount;
  for (let c = 1; c <= 5; c++) sink += decodeInt32(b, c).errorCount;
  sink += decodeBool(b, 6).errorCount;
  sink += decodeTimestamp(b, 7).errorCount;
  sink += decodeDate(b, 8).errorCount;
}

/** Runs `f` `rounds` times; prints rows per wall-clock second and per CPU second (robust on a busy machine). */
function time(label: string, rows: number, rounds: number, f: () => number): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const got = f();
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    if (got !== rows) throw new Error(`${label}: expected ${rows} rows, got ${got}`);
    wall.push(rows / s);
    cpu.push(rows / ((c.user + c.system) / 1e6));
  }
  report(label, wall, cpu);
}

/** Prints median and best rates. */
function report(label: string, wall: number[], cpu: number[]): void {
  const fmt = (r: number): string => `${(r / 1e6).toFixed(2)}M`.padStart(6);
  const med = (a: number[]): number => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  console.log(
    `${label.padEnd(40)} wall: median ${fmt(med(wall))} best ${fmt(Math.max(...wall))} rows/s | cpu: median ${fmt(med(cpu))} best ${fmt(Math.max(...cpu))} rows/s`,
  );
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 2_000_000);
  const rounds = Number(process.argv[3] ?? 5);
  const bytes = generateOrderItems(rows);
  console.log(`${rows} rows, ${(bytes.length / 1e6).toFixed(1)} MB, ${rounds} rounds, node ${process.version}`);

  for (const recycle of [false, true]) {
    const how = recycle ? 'recycled batches' : 'fresh batches';
    time(`tokenize (${how})`, rows, rounds, () => {
      let n = 0;
      tokenize(bytes, recycle, (b) => (n += b.rowCount));
      return n;
    });
    time(`tokenize + decode all (${how})`, rows, rounds, () => {
      let n = 0;
      tokenize(bytes, recycle, (b) => {
        decodeAll(b);
        n += b.rowCount;
      });
      return n;
    });
  }
  const asyncRun = async (source: AsyncIterable<Uint8Array>): Promise<number> => {
    const reader = await openCsv(source, { reuseBatches: true });
    let n = 0;
    for await (const b of reader) {
      decodeAll(b);
      n += b.rowCount;
    }
    return n;
  };
  const file = join(tmpdir(), `csv-parse-bench-${process.pid}.csv`);
  writeFileSync(file, bytes);
  const gz = gzipSync(bytes, { level: 6 });
  try {
    for (const [label, source] of [
      ['openCsv + decode all (memory source)', () => bytesSource(bytes, 1 << 20)],
      ['openCsv + decode all (file, fileSource)', () => fileSource(file)],
      ['openCsv + decode all (gzip in memory)', () => bytesSource(gz, 1 << 20)],
    ] as const) {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let k = 0; k < rounds; k++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const n = await asyncRun(source());
        const c = process.cpuUsage(c0);
        if (n !== rows) throw new Error(`${label}: expected ${rows}, got ${n}`);
        wall.push(rows / ((performance.now() - t0) / 1000));
        cpu.push(rows / ((c.user + c.system) / 1e6));
      }
      report(label, wall, cpu);
    }
  } finally {
    rmSync(file, { force: true });
  }
  if (sink !== 0) console.log('decode errors:', sink);
}

// Run only when executed, not when imported (other benchmarks reuse generateOrderItems).
if (process.argv[1]?.endsWith('csv-parse.ts')) await main();
