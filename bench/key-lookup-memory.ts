/**
 * Memory and speed of the key lookups at 10 million int32 keys (the referential-integrity sizing):
 *   hash set        Int32KeySet, random keys (open addressing, Int32Array, at most 3/4 full)
 *   dense bitset    DenseInt32KeySet, ids 1..N (what loadDeltaKeys picks for a dense id range)
 *   run index       Int32KeyIndex (key -> row) as dedupe fills it, sequential ids and random keys
 *   JS Set          a plain Set<number> of the random keys, for comparison
 *   from Delta      loadDeltaKeys over a committed 1-column Delta table of N ids (with --delta)
 * Memory is the structure's typed arrays (byteSize) and the process's arrayBuffers/heap growth.
 * Usage: node --expose-gc --import tsx bench/key-lookup-memory.ts [N=10000000] [--delta | --only-delta]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { DeltaTable, write } from '../etl/delta/index.js';
import { openStore } from '../etl/storage/open-store.js';
import { DenseInt32KeySet, Int32KeyIndex, Int32KeySet, int32KeySetOf, loadDeltaKeys, type KeyLookup } from '../validation/index.js';
import { prng } from '../tests/support/fixtures.js';

const n = Number(process.argv[2] ?? 10_000_000);
const withDelta = process.argv.includes('--delta');
const onlyDelta = process.argv.includes('--only-delta');
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const MiB = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

function memory(): { heap: number; buffers: number } {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

function report(label: string, build: () => KeyLookup | Set<number>, probe: (k: number) => boolean, keys: Int32Array): void {
  const before = memory();
  const t0 = performance.now();
  const structure = build();
  const buildMs = performance.now() - t0;
  const after = memory();
  let hits = 0;
  const t1 = performance.now();
  for (let i = 0; i < keys.length; i++) if (probe(keys[i]!)) hits++;
  const lookupS = (performance.now() - t1) / 1000;
  if (hits !== keys.length) throw new Error(`${label}: ${keys.length - hits} keys not found`);
  const bytes = structure instanceof Set ? after.heap - before.heap : structure.byteSize;
  console.log(
    `${label.padEnd(30)} ${MiB(bytes).padStart(10)} (${(bytes / n).toFixed(2)} B/key) | arrayBuffers +${MiB(after.buffers - before.buffers)}, heap +${MiB(after.heap - before.heap)} | build ${(buildMs / 1000).toFixed(2)} s, ${(keys.length / lookupS / 1e6).toFixed(1)} M lookups/s`,
  );
  void structure;
}

const rand = prng(42);
const randomKeys = new Int32Array(n);
for (let i = 0; i < n; i++) randomKeys[i] = Math.floor(rand() * 2 ** 32) - 2 ** 31;
const ids = Int32Array.from({ length: n }, (_, i) => i + 1);
console.log(`${n.toLocaleString('en')} int32 keys, node ${process.version}`);

if (!onlyDelta) measureStructures();

function measureStructures(): void {
  let hash: Int32KeySet | undefined;
  report('hash set (random keys)', () => (hash = int32KeySetOf(randomKeys) as Int32KeySet), (k) => hash!.has(k), randomKeys);
  hash = undefined;
  let dense: DenseInt32KeySet | undefined;
  report('dense bitset (ids 1..N)', () => (dense = int32KeySetOf(ids) as DenseInt32KeySet), (k) => dense!.has(k), ids);
  dense = undefined;
  let index: Int32KeyIndex | undefined;
  report('run index (ids 1..N)', () => {
    index = new Int32KeyIndex();
    for (let i = 0; i < n; i++) index.putIfAbsent(ids[i]!, i);
    return index;
  }, (k) => index!.get(k) >= 0, ids);
  index = undefined;
  report('run index (random keys)', () => {
    index = new Int32KeyIndex();
    for (let i = 0; i < n; i++) index.putIfAbsent(randomKeys[i]!, i);
    return index;
  }, (k) => index!.get(k) >= 0, randomKeys);
  index = undefined;
  let jsSet: Set<number> | undefined;
  report('JS Set<number> (random keys)', () => (jsSet = new Set(randomKeys)), (k) => jsSet!.has(k), randomKeys);
  jsSet = undefined;
}

if (withDelta || onlyDelta) {
  for (const [label, keys] of [
    ['ids 1..N', ids],
    ['random keys', randomKeys],
  ] as const) await fromDelta(label, keys);
}

/** Writes `keys` as a 1-column Delta table in a temp folder, then measures `loadDeltaKeys` over it. */
async function fromDelta(label: string, keys: Int32Array): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-keys-'));
  try {
    const schema = new arrow.Schema([new arrow.Field('order_id', new arrow.Int32(), false)]);
    const table = await DeltaTable.create(openStore(dir), { schema });
    const batches = function* (): Generator<arrow.RecordBatch> {
      const step = 1 << 20;
      for (let off = 0; off < n; off += step) {
        const values = keys.subarray(off, Math.min(n, off + step));
        const child = arrow.makeData({ type: new arrow.Int32(), length: values.length, data: values });
        yield new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: values.length, children: [child], nullCount: 0 }));
      }
    };
    await write(table, batches());
    memory();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t0 = performance.now();
    const loaded = await loadDeltaKeys(table, 'order_id');
    const s = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    let hits = 0;
    for (let i = 0; i < n; i++) if (loaded.has(keys[i]!)) hits++;
    console.log(
      `loadDeltaKeys (${label}): ${loaded.constructor.name}, ${MiB(loaded.byteSize)} kept, RSS peak +${MiB(peak - rss0)} while loading, ${s.toFixed(1)} s, ${hits === n ? 'all keys found' : `${n - hits} MISSING`}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`peak RSS ${MiB(process.resourceUsage().maxRSS * 1024)} (includes the ${MiB(2 * n * 4)} of input key arrays)`);
