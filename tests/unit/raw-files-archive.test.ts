/** Archiving an ingested raw file: a rename on a local folder, a copy elsewhere; a replaced or vanished file stays put. */
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStore } from '../../etl/storage/local-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { archiveRawFile, listRawFiles } from '../../pipelines/runner/raw-files.js';
import { MemoryStore } from '../support/memory-store.js';
import { tempDir } from '../support/stores.js';

const STARTED = new Date('2025-04-02T10:00:00Z');
const body = (s: string) => new TextEncoder().encode(s);
const text = async (store: ObjectStore, key: string) => new TextDecoder().decode(await store.get(key));

describe.each([
  ['a local folder (rename)', () => new LocalStore(tempDir())],
  ['another store (copy)', () => new MemoryStore()],
])('%s', (_name, open) => {
  test('the ingested file moves to archived/<run date>/ with its bytes, and its folder is gone from the raw listing', async () => {
    const store = open();
    await store.put('orders/orders-1.csv', body('id\n1\n'));
    const [file] = await listRawFiles(store, 'orders');
    expect(await archiveRawFile(store, file!, STARTED)).toBe('archived');
    expect(await text(store, 'archived/2025-04-02/orders/orders-1.csv')).toBe('id\n1\n');
    expect(await store.head('orders/orders-1.csv')).toBeUndefined();
    expect(await listRawFiles(store, 'orders')).toEqual([]);
  });

  test('a file replaced since it was listed stays for the next run; a deleted one is gone', async () => {
    const store = open();
    await store.put('orders/orders-1.csv', body('id\n1\n'));
    const [file] = await listRawFiles(store, 'orders');
    await store.put('orders/orders-1.csv', body('id\n1\n2\n'));
    if (store instanceof LocalStore) utimesSync(store.localPath('orders/orders-1.csv'), new Date(), new Date(Date.now() + 60_000));
    expect(await archiveRawFile(store, file!, STARTED)).toBe('changed');
    expect(await text(store, 'orders/orders-1.csv')).toBe('id\n1\n2\n');
    await store.delete('orders/orders-1.csv');
    expect(await archiveRawFile(store, file!, STARTED)).toBe('gone');
  });
});

test('on a local folder the archived file is the same file (same etag), not a copy', async () => {
  const dir = tempDir();
  const store = new LocalStore(join(dir, 'raw'));
  await store.put('orders/orders-1.csv', body('id\n1\n'));
  const [file] = await listRawFiles(store, 'orders');
  expect(await archiveRawFile(store, file!, STARTED)).toBe('archived');
  expect((await store.head('archived/2025-04-02/orders/orders-1.csv'))!.etag).toBe(file!.etag);
});
