/**
 * The embedded catalog under concurrent writers in separate processes, on a local folder and on S3
 * (moto): one swap wins per expected pointer; chains of Iceberg-style commits stay linear (every
 * commit's previous pointer is the commit before it, none lost, none twice); concurrent schema
 * registrations lose no column.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as arrow from 'apache-arrow';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { entryKey, type EntryFile } from '../../catalog/embedded/entry-file.js';
import { STORE_KINDS } from '../support/stores.js';

interface Worker {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  done: Promise<string[]>;
}

function startWorker(args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/workers/catalog-worker.ts', ...args], { stdio: 'pipe' });
  let out = '';
  let err = '';
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<string[]>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(out.split('\n').filter((l) => l && l !== 'ready')) : reject(new Error(`worker exited ${code}: ${err}`)))),
  );
  return { child, ready, done };
}

/** Start workers, wait until all are loaded, release them together, collect their output. */
async function race(argsList: string[][]): Promise<string[][]> {
  const workers = argsList.map(startWorker);
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin.write('go\n');
  return Promise.all(workers.map((w) => w.done));
}

describe.each(STORE_KINDS)('embedded catalog, several processes, $name', (kind) => {
  test('6 processes swap from the same pointer: exactly one wins', async () => {
    const { store, uri } = await kind.fresh();
    const catalog = new EmbeddedCatalog(store);
    await catalog.createDatabase('db');
    const base = await catalog.swap('db.events', undefined, 's3://lake/t/metadata/base.metadata.json');
    const outputs = await race(Array.from({ length: 6 }, (_, i) => [uri, 'swap', 'db.events', base.metadataLocation, `s3://lake/t/metadata/w${i}.metadata.json`]));
    const lines = outputs.map((o) => o[0]);
    expect(lines.filter((l) => l === 'won')).toHaveLength(1);
    expect(lines.filter((l) => l === 'lost commit_conflict')).toHaveLength(5);
    const winner = lines.indexOf('won');
    expect((await new EmbeddedCatalog(store).current('db.events'))!.metadataLocation).toBe(`s3://lake/t/metadata/w${winner}.metadata.json`);
  }, 120_000);

  test('4 processes x 5 chained commits: a linear history with every commit once', async () => {
    const { store, uri } = await kind.fresh();
    const catalog = new EmbeddedCatalog(store);
    await catalog.createDatabase('db');
    await catalog.swap('db.events', undefined, 's3://lake/t/metadata/base.metadata.json');
    const outputs = await race(Array.from({ length: 4 }, (_, w) => [uri, 'commit', 'db.events', String(w), '5']));
    const committed = outputs.flat().map((l) => l.replace('committed ', ''));
    expect(new Set(committed).size).toBe(20);
    // Entry versions 0..20: base, then each commit on top of the one before.
    const entries: EntryFile[] = [];
    for (let v = 0; v <= 20; v++) {
      entries.push(JSON.parse(new TextDecoder().decode(await store.get(`_lakehouse/catalog/${entryKey('db', 'events', v)}`))) as EntryFile);
    }
    expect(await store.head(`_lakehouse/catalog/${entryKey('db', 'events', 21)}`)).toBeUndefined();
    for (let v = 1; v <= 20; v++) expect(entries[v]!.previousMetadataLocation).toBe(entries[v - 1]!.metadataLocation);
    expect(entries.slice(1).map((e) => e.metadataLocation).sort()).toEqual([...committed].sort());
    // Each worker's own commits landed in its order.
    for (let w = 0; w < 4; w++) {
      const mine = entries.map((e) => e.metadataLocation!).filter((m) => m.includes(`/w${w}-`));
      expect(mine).toEqual(Array.from({ length: 5 }, (_, i) => `s3://lake/t/metadata/w${w}-c${i}.metadata.json`));
    }
  }, 180_000);

  test('4 processes registering new columns at once: no column is lost', async () => {
    const { store, uri } = await kind.fresh();
    const catalog = new EmbeddedCatalog(store);
    await catalog.createDatabase('db');
    const location = store.uriOf('processed/db/orders');
    await catalog.registerTable({ database: 'db', name: 'orders', format: 'delta', location, schema: new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false)]) });
    const columns = (w: number) => [0, 1, 2].map((i) => `c${w}_${i}`);
    await race(Array.from({ length: 4 }, (_, w) => [uri, 'register', 'db', 'orders', location, ...columns(w)]));
    const names = (await new EmbeddedCatalog(store).getTable('db', 'orders'))!.schema.fields.map((f) => f.name);
    expect(names[0]).toBe('id');
    expect(names.slice(1).sort()).toEqual([0, 1, 2, 3].flatMap(columns).sort());
  }, 120_000);
});
