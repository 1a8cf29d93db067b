/**
 * Crash safety: a writer killed with SIGKILL at random moments, 30 times. After every kill the table
 * is readable by our reader and by delta-rs, at a committed version, with exactly the committed rows;
 * the only leftovers are unreferenced files, which vacuum removes.
 */
import { join } from 'node:path';
import { fixedClock } from '../../etl/clock.js';
import { DeltaTable, vacuum } from '../../etl/delta/index.js';
import { fileKey } from '../../etl/delta/read-files.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { prng } from '../support/fixtures.js';
import { runPython } from '../support/python.js';
import { tempDir } from '../support/stores.js';
import { filesUnder, runAndKill } from '../support/writer-processes.js';

const KILLS = 30;
const ROWS = 500;

test(`a writer killed ${KILLS} times never leaves the table unreadable or half-committed`, async () => {
  const uri = tempDir();
  const root = new PrefixedStore(openStore(uri), 'tbl');
  const rand = prng(42);
  let lastVersion = -1;
  for (let k = 0; k < KILLS; k++) {
    // Each run continues from the batch after the last committed one (its txn version).
    const before = (await DeltaTable.exists(root)) ? await DeltaTable.open(root) : undefined;
    const next = before ? (before.snapshot.txns.get('worker-1')?.version ?? -1) + 1 : 0;
    await runAndKill('append-worker.ts', [uri, 'tbl', '1', '100000', String(ROWS), String(next)], Math.floor(rand() * 400));
    const table = await DeltaTable.open(root);
    expect(table.version).toBeGreaterThanOrEqual(lastVersion);
    lastVersion = table.version;
    // Exactly the committed rows: one batch of ROWS per committed txn version, no duplicates.
    const committedBatches = (table.snapshot.txns.get('worker-1')?.version ?? -1) + 1;
    const ids = [...(await table.toArrow({ columns: ['id'] })).getChild('id')!].map(Number);
    expect(ids).toHaveLength(committedBatches * ROWS);
    expect(new Set(ids).size).toBe(ids.length);
    const theirs = await runPython<{ version: number; num_rows: number }>('delta_tool.py', ['read', join(uri, 'tbl'), '--count-only']);
    expect(theirs).toMatchObject({ version: table.version, num_rows: ids.length });
  }
  expect(lastVersion).toBeGreaterThan(0);
  // Leftovers are only unreferenced files (and unfinished temp files); vacuum removes them all.
  const table = await DeltaTable.open(root, { clock: fixedClock(Date.now() + 8 * 86_400_000) });
  await vacuum(table);
  const onDisk = filesUnder(join(uri, 'tbl')).filter((f) => !f.startsWith('_delta_log'));
  expect(onDisk.sort()).toEqual([...table.snapshot.files.values()].map(fileKey).sort());
}, 600_000);
