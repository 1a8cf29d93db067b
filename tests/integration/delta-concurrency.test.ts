/** 8 processes each append 25 batches to one table: 200 commits, every row once, no version written twice. */
import { DeltaTable } from '../../etl/delta/index.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { ORDER_ITEMS_SCHEMA } from '../support/fixtures.js';
import { STORE_KINDS } from '../support/stores.js';
import { runWorker } from '../support/writer-processes.js';

const WORKERS = 8;
const BATCHES = 25;
const ROWS = 20;

describe.each(STORE_KINDS)('concurrent writers on $name', (kind) => {
  test(`${WORKERS} processes x ${BATCHES} appends`, async () => {
    const { store, uri } = await kind.fresh();
    const root = new PrefixedStore(store, 'tbl');
    await DeltaTable.create(root, { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
    const outputs = await Promise.all(Array.from({ length: WORKERS }, (_, w) => runWorker('append-worker.ts', [uri, 'tbl', String(w), String(BATCHES), String(ROWS)])));
    const total = WORKERS * BATCHES;
    const table = await DeltaTable.open(root);
    if (table.version !== total) console.log(outputs.join('\n---\n'));
    expect(table.version).toBe(total);
    // Every version 1..200 is one worker's one batch; no batch committed twice or skipped.
    const seen = new Set<string>();
    for (let v = 1; v <= total; v++) {
      const txns = (await table.log.readCommit(v)).flatMap((a) => ('txn' in a ? [a.txn] : []));
      expect(txns).toHaveLength(1);
      const id = `${txns[0]!.appId}/${txns[0]!.version}`;
      expect(seen.has(id)).toBe(false);
      seen.add(id);
    }
    expect(seen.size).toBe(total);
    // Workers saw their own commits at distinct versions.
    const versions = outputs.flatMap((o) => o.split('\n').filter((l) => l.startsWith('committed')).map((l) => Number(l.split(' ')[2])));
    expect(new Set(versions).size).toBe(total);
    // Every row exactly once.
    const ids = [...(await table.toArrow({ columns: ['id'] })).getChild('id')!].map(Number);
    expect(ids).toHaveLength(total * ROWS);
    expect(new Set(ids).size).toBe(total * ROWS);
    for (let w = 0; w < WORKERS; w++) {
      for (let b = 0; b < BATCHES; b++) expect(ids.includes(w * 1_000_000 + b * 1_000 + ROWS - 1)).toBe(true);
    }
  }, 600_000);
});
