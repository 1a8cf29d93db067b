/**
 * Crash safety: an Iceberg writer killed with SIGKILL at random moments, again and again. After every
 * kill the table is readable by our reader and by pyiceberg, at a committed snapshot, with exactly the
 * committed rows; the only leftovers are unreferenced files (data files, manifests, manifest lists,
 * metadata files of an unfinished commit, temp files), which orphan removal deletes.
 */
import { join } from 'node:path';
import { fixedClock } from '../../etl/clock.js';
import { IcebergTable, removeOrphanFiles } from '../../etl/iceberg/index.js';
import { referencedFiles } from '../../etl/iceberg/reachable-files.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { prng } from '../support/fixtures.js';
import { ObjectStorePointerStore } from '../support/iceberg-pointer-store.js';
import { runPython } from '../support/python.js';
import { tempDir } from '../support/stores.js';
import { filesUnder, runAndKill } from '../support/writer-processes.js';

const KILLS = 15;
const ROWS = 500;

test(`an Iceberg writer killed ${KILLS} times never leaves the table unreadable or half-committed`, async () => {
  const uri = tempDir('iceberg-crash-');
  const warehouse = openStore(uri);
  const pointers = new ObjectStorePointerStore(warehouse);
  const root = new PrefixedStore(warehouse, 'tbl');
  const rand = prng(42);
  let lastSequence = -1;
  const committed = (table: IcebergTable) => Number(table.currentSnapshot?.summary['lakehouse.txn.worker-1'] ?? -1) + 1;
  for (let k = 0; k < KILLS; k++) {
    // Each run continues from the batch after the last committed one (its txn version).
    const before = (await IcebergTable.exists(pointers, 'db.tbl')) ? await IcebergTable.open(root, pointers, 'db.tbl') : undefined;
    await runAndKill('iceberg-append-worker.ts', [uri, 'tbl', '1', '100000', String(ROWS), String(before ? committed(before) : 0)], Math.floor(rand() * 400));
    if (!(await IcebergTable.exists(pointers, 'db.tbl'))) continue; // killed before the table was created
    const table = await IcebergTable.open(root, pointers, 'db.tbl');
    const sequence = table.metadata['last-sequence-number'];
    expect(sequence).toBeGreaterThanOrEqual(lastSequence);
    lastSequence = sequence;
    // Exactly the committed rows: one batch of ROWS per committed txn version, no duplicates.
    const ids = [...(await table.toArrow({ columns: ['id'] })).getChild('id')!].map(Number);
    expect(ids).toHaveLength(committed(table) * ROWS);
    expect(new Set(ids).size).toBe(ids.length);
    expect(table.metadata.snapshots).toHaveLength(committed(table));
    const theirs = await runPython<{ current_snapshot_id: string | null; num_rows: number }>('iceberg_tool.py', ['read', table.metadataLocation, '--count-only']);
    expect(theirs).toMatchObject({ current_snapshot_id: table.currentSnapshot ? String(table.currentSnapshot['snapshot-id']) : null, num_rows: ids.length });
  }
  expect(lastSequence).toBeGreaterThan(0);
  // Leftovers are only unreferenced files (and unfinished temp files); orphan removal deletes them all.
  const table = await IcebergTable.open(root, pointers, 'db.tbl', { clock: fixedClock(Date.now() + 8 * 86_400_000) });
  const removed = await removeOrphanFiles(table);
  const refs = await referencedFiles(table, table.metadata.snapshots);
  const expected = [
    table.metadataLocation,
    ...table.metadata['metadata-log'].map((m) => m['metadata-file']),
    ...refs.manifestLists,
    ...refs.manifests,
    ...refs.allData,
  ].map((u) => table.files.keyOf(u)!);
  expect(filesUnder(join(uri, 'tbl')).sort()).toEqual([...new Set(expected)].sort());
  console.log(`${KILLS} kills, ${table.metadata.snapshots.length} commits, ${removed.files.length} orphans and ${removed.incompleteWrites} unfinished writes removed`);
}, 600_000);
