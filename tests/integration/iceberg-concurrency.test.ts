/**
 * 8 processes each append 25 batches to one Iceberg table through the embedded catalog (a local folder):
 * 200 snapshots in one linear history, every batch committed once, every row exactly once.
 */
import { IcebergTable } from '../../etl/iceberg/index.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { ORDER_ITEMS_SCHEMA } from '../support/fixtures.js';
import { ObjectStorePointerStore } from '../support/iceberg-pointer-store.js';
import { tempDir } from '../support/stores.js';
import { runWorker } from '../support/writer-processes.js';

const WORKERS = 8;
const BATCHES = 25;
const ROWS = 20;

test(`${WORKERS} processes x ${BATCHES} appends through the embedded catalog`, async () => {
  const uri = tempDir('iceberg-concurrency-');
  const warehouse = openStore(uri);
  const pointers = new ObjectStorePointerStore(warehouse);
  const root = new PrefixedStore(warehouse, 'tbl');
  await IcebergTable.create(root, pointers, 'db.tbl', { schema: ORDER_ITEMS_SCHEMA, partitionBy: ['date'] });
  const outputs = await Promise.all(Array.from({ length: WORKERS }, (_, w) => runWorker('iceberg-append-worker.ts', [uri, 'tbl', String(w), String(BATCHES), String(ROWS)])));
  const total = WORKERS * BATCHES;
  const table = await IcebergTable.open(root, pointers, 'db.tbl');
  const chain = table.history();
  expect(table.metadata.snapshots).toHaveLength(total);
  expect(chain).toHaveLength(total);
  expect(chain.map((h) => h.sequenceNumber)).toEqual(Array.from({ length: total }, (_, i) => total - i));
  expect(table.metadata['last-sequence-number']).toBe(total);
  // One linear history: every snapshot's parent is the one before it.
  for (let i = 0; i < total - 1; i++) expect(chain[i]!.parentSnapshotId).toBe(chain[i + 1]!.snapshotId);
  // Every snapshot commits exactly one batch: one txn key advances by one from its parent's.
  const seen = new Set<string>();
  const oldestFirst = [...chain].reverse();
  oldestFirst.forEach((h, i) => {
    const txns = (s: Record<string, string>) => Object.entries(s).filter(([k]) => k.startsWith('lakehouse.txn.'));
    const before = new Map(i === 0 ? [] : txns(oldestFirst[i - 1]!.summary));
    const changed = txns(h.summary).filter(([k, v]) => before.get(k) !== v);
    expect(changed).toHaveLength(1);
    const [k, v] = changed[0]!;
    expect(Number(v)).toBe(before.has(k) ? Number(before.get(k)) + 1 : 0);
    seen.add(`${k}/${v}`);
    expect(h.summary['added-records']).toBe(String(ROWS));
    expect(h.summary['total-records']).toBe(String((i + 1) * ROWS));
  });
  expect(seen.size).toBe(total);
  for (let w = 0; w < WORKERS; w++) expect(table.alreadyCommitted(`worker-${w}`, BATCHES - 1)).toBe(true);
  // Workers saw their own commits at distinct sequence numbers.
  const lines = outputs.flatMap((o) => o.split('\n').filter((l) => l.startsWith('committed')));
  expect(lines).toHaveLength(total);
  expect(lines.every((l) => l.includes(' new '))).toBe(true);
  expect(new Set(lines.map((l) => Number(l.split(' ')[2]))).size).toBe(total);
  // Every row exactly once.
  const ids = [...(await table.toArrow({ columns: ['id'] })).getChild('id')!].map(Number);
  expect(ids).toHaveLength(total * ROWS);
  expect(new Set(ids).size).toBe(total * ROWS);
  for (let w = 0; w < WORKERS; w++) {
    for (let b = 0; b < BATCHES; b++) expect(ids.includes(w * 1_000_000 + b * 1_000 + ROWS - 1)).toBe(true);
  }
  // The metadata log keeps the default 100 previous files; retries that lost left no manifest lists behind.
  expect(table.metadata['metadata-log']).toHaveLength(100);
  const lists: string[] = [];
  for await (const m of root.list('metadata/snap-')) lists.push(m.key);
  expect(lists).toHaveLength(total);
  const attempts = lines.map((l) => Number(l.split(' ')[4]));
  console.log(`commit attempts: max ${Math.max(...attempts)}, mean ${(attempts.reduce((a, b) => a + b, 0) / attempts.length).toFixed(2)}`);
}, 600_000);
