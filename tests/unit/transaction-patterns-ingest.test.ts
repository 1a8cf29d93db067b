/** Mechanism X on every store (local folder, S3 on moto) and the generator's determinism; no PostgreSQL here. */
import { generateBankSim, TRANSACTIONS_HEADER } from '../../pipelines/transaction-patterns/banksim-generator.js';
import { chunkKey, ingestChunks, readPosition } from '../../pipelines/transaction-patterns/chunk-ingest.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { STORE_KINDS } from '../support/stores.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('the generator is deterministic per seed and writes BankSim-shaped rows', () => {
  const a = generateBankSim({ rows: 3000, seed: 5 });
  const b = generateBankSim({ rows: 3000, seed: 5 });
  const c = generateBankSim({ rows: 3000, seed: 6 });
  expect(a.transactions.join('')).toBe(b.transactions.join(''));
  expect(a.transactions.join('')).not.toBe(c.transactions.join(''));
  const lines = a.transactions.join('').trim().split('\n');
  expect(lines[0]).toBe(TRANSACTIONS_HEADER);
  expect(lines.length - 1).toBe(a.rows);
  for (const l of lines.slice(1, 200)) expect(l).toMatch(/^\d+,'C\d+','[0-6U]','[MFEU]','28007','M\d+','28007','es_[a-z]+',\d+\.\d\d,[01]$/);
  expect(a.importance.join('').split('\n')[0]).toBe('Source,Target,Weight,typeTrans,fraud');
});

describe.each(STORE_KINDS)('Mechanism X on $name', (kind) => {
  test('chunks of N rows with the header, resumable after a stop, last line without a newline included', async () => {
    const { store } = await kind.fresh();
    const rows = Array.from({ length: 25 }, (_, i) => `${i},'C${i}','1','F','28007','M1','28007','es_food',1.00,0`);
    await store.put('in/transactions.csv', new TextEncoder().encode(`${TRANSACTIONS_HEADER}\n${rows.join('\n')}`));
    const raw = new PrefixedStore(store, 'raw');
    const state = new PrefixedStore(store, 'state');
    const source = { store, key: 'in/transactions.csv' };
    const first = await ingestChunks({ source, raw, state, chunkRows: 10, intervalMs: 0, maxChunks: 1 });
    expect(first).toMatchObject({ nextChunk: 1, rows: 10, done: false });
    const second = await ingestChunks({ source, raw, state, chunkRows: 10, intervalMs: 0 });
    expect(second).toMatchObject({ nextChunk: 3, rows: 25, done: true });
    expect(await readPosition(state)).toEqual(second);
    const chunks = await Promise.all([0, 1, 2].map(async (n) => text(await raw.get(chunkKey(n))).trimEnd().split('\n')));
    for (const c of chunks) expect(c[0]).toBe(TRANSACTIONS_HEADER);
    expect(chunks.flatMap((c) => c.slice(1))).toEqual(rows);
    expect(chunks.map((c) => c.length - 1)).toEqual([10, 10, 5]);
    // Done: a further call writes nothing.
    const third = await ingestChunks({ source, raw, state, chunkRows: 10, intervalMs: 0 });
    expect(third).toEqual(second);
    expect(await raw.head(chunkKey(3))).toBeUndefined();
  });

  test('a source smaller than the recorded position is a terminal SourceChangedError', async () => {
    const { store } = await kind.fresh();
    const state = new PrefixedStore(store, 'state');
    await state.put('x-position.json', new TextEncoder().encode(JSON.stringify({ nextChunk: 3, byteOffset: 10_000, rows: 30, done: false, sourceSize: 10_000 })));
    await store.put('t.csv', new TextEncoder().encode(`${TRANSACTIONS_HEADER}\n1,'C1','1','F','28007','M1','28007','es_food',1.00,0\n`));
    await expect(ingestChunks({ source: { store, key: 't.csv' }, raw: new PrefixedStore(store, 'raw'), state, intervalMs: 0 })).rejects.toMatchObject({ code: 'source_changed', kind: 'terminal' });
  });
});
