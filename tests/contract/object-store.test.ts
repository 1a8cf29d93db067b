/**
 * One behaviour suite for every ObjectStore: a LocalStore in a temp folder and an S3Store on moto
 * must answer the same calls the same way.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlreadyExistsError, NotFoundError, UsageError } from '../../etl/errors.js';
import { LocalStore } from '../../etl/storage/local-store.js';
import type { ObjectMeta, ObjectStore } from '../../etl/storage/object-store.js';
import { openStore } from '../../etl/storage/open-store.js';
import { S3Store } from '../../etl/storage/s3-store.js';
import { createTestBucket } from '../support/s3-bucket.js';

interface Opened {
  store: ObjectStore;
  close(): Promise<void>;
}

const backends: Array<[string, () => Promise<Opened>]> = [
  [
    'LocalStore',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'store-contract-'));
      return { store: new LocalStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'S3Store',
    async () => {
      const store = new S3Store(await createTestBucket());
      return { store, close: async () => store.client.destroy() };
    },
  ],
];

const MiB = 1024 * 1024;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Deterministic pseudo-random bytes (zeros included). */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 7 === 0 ? 0 : x >>> 24;
  }
  return out;
}

async function collect(it: AsyncIterable<ObjectMeta>): Promise<ObjectMeta[]> {
  const out: ObjectMeta[] = [];
  for await (const m of it) out.push(m);
  return out;
}

async function keys(it: AsyncIterable<ObjectMeta>): Promise<string[]> {
  return (await collect(it)).map((m) => m.key);
}

/** Run `fn` over `items` with at most `limit` calls in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

describe.each(backends)('ObjectStore contract: %s', (_name, open) => {
  let opened: Opened;
  let store: ObjectStore;

  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(async () => {
    await opened.close();
  });

  test('put/get round-trips binary bytes, zeros included', async () => {
    const body = new Uint8Array([0, 0, 1, 2, 255, 0, 128, 0]);
    const meta = await store.put('bin/data.bin', body);
    expect(meta).toMatchObject({ key: 'bin/data.bin', size: body.length });
    expect(meta.lastModified).toBeInstanceOf(Date);
    expect(Array.from(await store.get('bin/data.bin'))).toEqual(Array.from(body));
    const big = bytes(300_000);
    await store.put('bin/big.bin', big);
    expect(sha256(await store.get('bin/big.bin'))).toBe(sha256(big));
    expect((await store.head('bin/data.bin'))?.etag).toBe(meta.etag);
  });

  test('put of an empty body stores an empty object', async () => {
    await store.put('empty', new Uint8Array(0));
    expect((await store.get('empty')).length).toBe(0);
    expect((await store.head('empty'))?.size).toBe(0);
  });

  test('streams a multi-MiB body from an async iterable', async () => {
    const chunks = Array.from({ length: 12 }, (_, i) => bytes(MiB, i + 1));
    async function* body(): AsyncGenerator<Uint8Array> {
      for (const c of chunks) {
        await new Promise((r) => setImmediate(r));
        yield c;
      }
    }
    const all = new Uint8Array(12 * MiB);
    chunks.forEach((c, i) => all.set(c, i * MiB));
    const meta = await store.put('stream/big.bin', body());
    expect(meta.size).toBe(12 * MiB);
    const got = await store.get('stream/big.bin');
    expect(got.length).toBe(12 * MiB);
    expect(sha256(got)).toBe(sha256(all));
    expect((await store.head('stream/big.bin'))?.size).toBe(12 * MiB);
  });

  test('a body stream that fails rejects with its own error and leaves no object', async () => {
    const boom = new Error('producer failed');
    async function* body(): AsyncGenerator<Uint8Array> {
      yield bytes(1024);
      throw boom;
    }
    await expect(store.put('stream/broken.bin', body())).rejects.toBe(boom);
    expect(await store.head('stream/broken.bin')).toBeUndefined();
    expect(await keys(store.list(''))).toEqual([]);
  });

  test('getRange reads [start, end) and cuts ranges past the end short', async () => {
    const body = bytes(1000, 7);
    await store.put('range.bin', body);
    expect(Array.from(await store.getRange('range.bin', 0, 4))).toEqual(Array.from(body.subarray(0, 4)));
    expect(Array.from(await store.getRange('range.bin', 500, 700))).toEqual(Array.from(body.subarray(500, 700)));
    expect(Array.from(await store.getRange('range.bin', 990, 2000))).toEqual(Array.from(body.subarray(990)));
    expect((await store.getRange('range.bin', 1000, 1010)).length).toBe(0);
    expect((await store.getRange('range.bin', 10, 10)).length).toBe(0);
    await expect(store.getRange('range.bin', 5, 4)).rejects.toBeInstanceOf(UsageError);
    await expect(store.getRange('absent.bin', 0, 4)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getRange('absent.bin', 0, 0)).rejects.toBeInstanceOf(NotFoundError);
  });

  test('head reports size and an etag that changes when the object is replaced', async () => {
    expect(await store.head('h/obj')).toBeUndefined();
    await store.put('h/obj', text('first'));
    const first = await store.head('h/obj');
    expect(first).toMatchObject({ key: 'h/obj', size: 5 });
    expect(first?.etag).toMatch(/^[^"]+$/);
    expect(first?.lastModified).toBeInstanceOf(Date);
    await store.put('h/obj', text('second version'));
    const second = await store.head('h/obj');
    expect(second?.size).toBe(14);
    expect(second?.etag).not.toBe(first?.etag);
    expect(decode(await store.get('h/obj'))).toBe('second version');
    // A folder-like prefix is not an object.
    expect(await store.head('h')).toBeUndefined();
  });

  test('get of an absent key throws NotFoundError naming the object', async () => {
    const err = await store.get('no/such/key.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).kind).toBe('terminal');
    expect((err as Error).message).toContain(store.uriOf('no/such/key.json'));
    await store.put('no/other', text('x'));
    await expect(store.get('no')).rejects.toBeInstanceOf(NotFoundError);
  });

  test('putIfAbsent creates once, then throws AlreadyExistsError and keeps the first body', async () => {
    const meta = await store.putIfAbsent('log/00000.json', text('{"v":0}'));
    expect(meta).toMatchObject({ key: 'log/00000.json', size: 7 });
    const err = await store.putIfAbsent('log/00000.json', text('{"v":"other"}')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as AlreadyExistsError).code).toBe('already_exists');
    expect((err as Error).message).toContain(store.uriOf('log/00000.json'));
    expect(decode(await store.get('log/00000.json'))).toBe('{"v":0}');
  });

  test('of 20 concurrent putIfAbsent calls on one key exactly one wins, and its body is stored', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => {
      const b = bytes(64 * 1024, i + 100);
      b.set(text(`writer-${i};`));
      return b;
    });
    const results = await Promise.allSettled(bodies.map((b) => store.putIfAbsent('race/commit.json', b)));
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(AlreadyExistsError);
    }
    const stored = await store.get('race/commit.json');
    expect(sha256(stored)).toBe(sha256(bodies[winners[0] as number] as Uint8Array));
    expect(await keys(store.list('race/'))).toEqual(['race/commit.json']);
  });

  describe('list', () => {
    const all = ['a-b', 'a/1', 'a/2', 'a/sub/3', 'ab/c', 'b/1', 'b/2/x'];

    beforeEach(async () => {
      // Written out of order on purpose.
      for (const k of [...all].reverse()) await store.put(k, text(k));
    });

    test('returns every key in lexicographic order with metadata', async () => {
      const metas = await collect(store.list(''));
      expect(metas.map((m) => m.key)).toEqual(all);
      for (const m of metas) {
        expect(m.size).toBe(m.key.length);
        expect(m.lastModified).toBeInstanceOf(Date);
        expect(m.etag).toBe((await store.head(m.key))?.etag);
      }
    });

    test('filters by a plain string prefix, folder boundary or not', async () => {
      expect(await keys(store.list('a/'))).toEqual(['a/1', 'a/2', 'a/sub/3']);
      expect(await keys(store.list('a'))).toEqual(['a-b', 'a/1', 'a/2', 'a/sub/3', 'ab/c']);
      expect(await keys(store.list('a/s'))).toEqual(['a/sub/3']);
      expect(await keys(store.list('a/1'))).toEqual(['a/1']);
      expect(await keys(store.list('b/2/'))).toEqual(['b/2/x']);
      expect(await keys(store.list('zzz'))).toEqual([]);
      expect(await keys(store.list('a/sub/3/deeper/'))).toEqual([]);
    });

    test('startAfter skips keys up to and including the given one', async () => {
      expect(await keys(store.list('', { startAfter: 'a/2' }))).toEqual(['a/sub/3', 'ab/c', 'b/1', 'b/2/x']);
      expect(await keys(store.list('', { startAfter: 'a/' }))).toEqual(['a/1', 'a/2', 'a/sub/3', 'ab/c', 'b/1', 'b/2/x']);
      expect(await keys(store.list('a', { startAfter: 'a/1' }))).toEqual(['a/2', 'a/sub/3', 'ab/c']);
      expect(await keys(store.list('b/', { startAfter: 'a' }))).toEqual(['b/1', 'b/2/x']);
      expect(await keys(store.list('', { startAfter: 'b/2/x' }))).toEqual([]);
    });

    test('limit stops after that many keys', async () => {
      expect(await keys(store.list('', { limit: 2 }))).toEqual(['a-b', 'a/1']);
      expect(await keys(store.list('a/', { limit: 1, startAfter: 'a/1' }))).toEqual(['a/2']);
      expect(await keys(store.list('', { limit: 0 }))).toEqual([]);
      expect(await keys(store.list('', { limit: 100 }))).toEqual(all);
    });
  });

  test('list orders by code point (UTF-8 byte order), beyond the Basic Multilingual Plane too', async () => {
    const ordered = ['u/z', 'u/\u00e9', 'u/\uFFFD', 'u/\u{1F600}'];
    for (const k of [...ordered].reverse()) await store.put(k, text('x'));
    expect(await keys(store.list('u/'))).toEqual(ordered);
    expect(await keys(store.list('u/', { startAfter: 'u/\uFFFD' }))).toEqual(['u/\u{1F600}']);
  });

  test('list pages through more than 1000 keys', async () => {
    const n = 1005;
    const names = Array.from({ length: n }, (_, i) => `page/part-${String(i).padStart(5, '0')}.json`);
    await pool([...names].reverse(), 32, (k) => store.put(k, text('x')));
    await store.put('pagf', text('after the prefix'));
    const listed = await keys(store.list('page/'));
    expect(listed).toHaveLength(n);
    expect(listed).toEqual(names);
    expect(await keys(store.list('page/', { startAfter: names[998] }))).toEqual(names.slice(999));
    expect(await keys(store.list('page/', { limit: 1001 }))).toEqual(names.slice(0, 1001));
    expect(await keys(store.list('pag'))).toEqual([...names, 'pagf']);
  });

  test('delete removes an object; deleting an absent key is fine', async () => {
    await store.put('d/x/one', text('1'));
    await store.put('d/two', text('2'));
    await store.delete('d/x/one');
    expect(await store.head('d/x/one')).toBeUndefined();
    await expect(store.get('d/x/one')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.delete('d/x/one')).resolves.toBeUndefined();
    await expect(store.delete('never/existed')).resolves.toBeUndefined();
    expect(await keys(store.list('d/'))).toEqual(['d/two']);
    // The key can be written again after a delete.
    await store.putIfAbsent('d/x/one', text('again'));
    expect(decode(await store.get('d/x/one'))).toBe('again');
  });

  test('uriOf and localPath name the object; openStore(uri) reopens the same store', async () => {
    await store.put('t/k.json', text('{}'));
    expect(store.uriOf('t/k.json').startsWith(`${store.uri}/`)).toBe(true);
    const path = store.localPath('t/k.json');
    if (store instanceof LocalStore) {
      expect(store.uri).toMatch(/^file:\/\/\//);
      expect(path !== undefined && isAbsolute(path)).toBe(true);
      expect(readFileSync(path as string, 'utf8')).toBe('{}');
      expect(fileURLToPath(store.uriOf('t/k.json'))).toBe(path);
    } else {
      expect(store.uri).toMatch(/^s3:\/\/test-[a-z0-9]+\/warehouse$/);
      expect(store.uriOf('t/k.json')).toBe(`${store.uri}/t/k.json`);
      expect(path).toBeUndefined();
    }
    const again = openStore(store.uri);
    try {
      expect(again.uri).toBe(store.uri);
      expect(decode(await again.get('t/k.json'))).toBe('{}');
    } finally {
      if (again instanceof S3Store) again.client.destroy();
    }
  });

  test('keys with spaces, "=", "%", "+" and non-ASCII characters work everywhere', async () => {
    const special = [
      'date=2025-04-01/part 1.parquet',
      'date=2025-04-01/100%25 done%.parquet',
      'date=2025-04-02/a+b&c=d.parquet',
      'date=2025-04-02/ünïcødé €.parquet',
    ];
    for (const k of special) await store.put(k, text(`body of ${k}`));
    for (const k of special) {
      expect(decode(await store.get(k))).toBe(`body of ${k}`);
      expect((await store.head(k))?.key).toBe(k);
      expect(decode(await store.getRange(k, 0, 4))).toBe('body');
    }
    expect(await keys(store.list('date=2025-04-01/'))).toEqual([special[1], special[0]]);
    expect(await keys(store.list('date=2025-04-0'))).toEqual([special[1], special[0], special[2], special[3]]);
    await expect(store.putIfAbsent('date=2025-04-01/part 1.parquet', text('x'))).rejects.toBeInstanceOf(AlreadyExistsError);
    await store.delete('date=2025-04-01/part 1.parquet');
    expect(await keys(store.list('date=2025-04-01/'))).toEqual([special[1]]);
    const path = store.localPath(special[0] as string);
    if (path !== undefined) expect(existsSync(path)).toBe(false);
  });

  test('invalid keys are rejected with UsageError', async () => {
    for (const bad of ['../escape', 'a/../../escape', '/absolute', 'a//b', 'trailing/', '', './x']) {
      await expect(store.put(bad, text('x'))).rejects.toBeInstanceOf(UsageError);
      await expect(store.get(bad)).rejects.toBeInstanceOf(UsageError);
      expect(() => store.uriOf(bad)).toThrow(UsageError);
    }
  });
});
