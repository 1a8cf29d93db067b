/** LocalStore specifics: cross-process create-only races, temp files, and keys that would escape the root. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { AlreadyExistsError, UsageError } from '../../etl/errors.js';
import { TEMP_PREFIX } from '../../etl/storage/keys.js';
import { LocalStore } from '../../etl/storage/local-store.js';
import { walkFiles, type WalkIo } from '../../etl/storage/local-walk.js';
import type { ObjectMeta } from '../../etl/storage/object-store.js';

const MODULE = pathToFileURL(join(process.cwd(), 'etl', 'storage', 'local-store.ts')).href;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Child process: load LocalStore through tsx, say "ready", wait for "go", then race putIfAbsent on every key. */
const CHILD = `
const { LocalStore } = await import(process.env.STORE_MODULE);
const store = new LocalStore(process.env.STORE_ROOT);
const writer = Number(process.env.WRITER);
const keys = JSON.parse(process.env.KEYS);
const body = new Uint8Array(1024 * 1024).fill(writer);
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
for (const key of keys) {
  try {
    await store.putIfAbsent(key, body);
    process.stdout.write(JSON.stringify({ writer, key, result: 'won' }) + '\\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ writer, key, result: err.code ?? String(err) }) + '\\n');
  }
}
process.exit(0);
`;

interface Outcome {
  writer: number;
  key: string;
  result: string;
}

/** Start one racing child; resolves its line reader once it said "ready". */
function startChild(root: string, writer: number, keys: string[]): { child: ChildProcess; ready: Promise<void>; done: Promise<Outcome[]> } {
  const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: process.cwd(),
    env: { ...process.env, STORE_MODULE: MODULE, STORE_ROOT: root, WRITER: String(writer), KEYS: JSON.stringify(keys) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const outcomes: Outcome[] = [];
  let signalReady: () => void;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  lines.on('line', (line) => {
    if (line === 'ready') signalReady();
    else outcomes.push(JSON.parse(line) as Outcome);
  });
  const done = new Promise<Outcome[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(outcomes) : reject(new Error(`child ${writer} exited ${code}: ${stderr}`))));
  });
  return { child, ready: Promise.race([ready, done.then(() => undefined)]), done };
}

async function keysOf(it: AsyncIterable<ObjectMeta>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.key);
  return out;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('LocalStore', () => {
  let root: string;
  let store: LocalStore;

  beforeEach(async () => {
    root = join(await mkdtemp(join(tmpdir(), 'local-store-')), 'wh');
    store = new LocalStore(root);
  });
  afterEach(async () => {
    await rm(dirname(root), { recursive: true, force: true });
  });

  test('of 8 processes racing putIfAbsent on the same keys exactly one wins each key', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`);
    const children = Array.from({ length: 8 }, (_, w) => startChild(root, w + 1, keys));
    try {
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.child.stdin?.write('go\n');
      const outcomes = (await Promise.all(children.map((c) => c.done))).flat();
      expect(outcomes).toHaveLength(8 * keys.length);
      for (const key of keys) {
        const forKey = outcomes.filter((o) => o.key === key);
        const winners = forKey.filter((o) => o.result === 'won');
        expect(winners).toHaveLength(1);
        expect(forKey.filter((o) => o.result === 'already_exists')).toHaveLength(7);
        const stored = await readFile(store.localPath(key));
        expect(stored.length).toBe(1024 * 1024);
        expect(stored.every((b) => b === winners[0]?.writer)).toBe(true);
      }
      // No temp file survives, winners' or losers'.
      expect(readdirSync(join(root, '_delta_log')).sort()).toEqual(keys.map((k) => k.split('/')[1]).sort());
    } finally {
      for (const c of children) if (c.child.exitCode === null) c.child.kill();
    }
  });

  test('an in-flight write is invisible: its temp file is never listed and the key is absent until done', async () => {
    await store.put('t/other', text('already here'));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(64 * 1024).fill(1);
      await gate;
      yield new Uint8Array(64 * 1024).fill(2);
    }
    const pending = store.put('t/file.bin', body());
    await until(() => readdirSync(join(root, 't')).some((n) => n.startsWith(TEMP_PREFIX)));
    expect(await keysOf(store.list(''))).toEqual(['t/other']);
    expect(await keysOf(store.list('t/'))).toEqual(['t/other']);
    expect(await store.head('t/file.bin')).toBeUndefined();
    release();
    const meta = await pending;
    expect(meta.size).toBe(128 * 1024);
    expect(await keysOf(store.list(''))).toEqual(['t/file.bin', 't/other']);
    expect(readdirSync(join(root, 't')).sort()).toEqual(['file.bin', 'other']);
  });

  test('leftover temp files of a crashed writer are not listed, and temp names are not valid keys', async () => {
    await store.put('p/a.parquet', text('a'));
    writeFileSync(join(root, 'p', `${TEMP_PREFIX}crashed`), 'partial');
    writeFileSync(join(root, `${TEMP_PREFIX}top`), 'partial');
    expect(await keysOf(store.list(''))).toEqual(['p/a.parquet']);
    expect(await keysOf(store.list('p/.'))).toEqual([]);
    await expect(store.put(`p/${TEMP_PREFIX}x`, text('x'))).rejects.toBeInstanceOf(UsageError);
    await expect(store.get(`p/${TEMP_PREFIX}crashed`)).rejects.toBeInstanceOf(UsageError);
  });

  test('a losing putIfAbsent leaves no temp file behind', async () => {
    await store.putIfAbsent('k/v.json', text('1'));
    await expect(store.putIfAbsent('k/v.json', text('2'))).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(readdirSync(join(root, 'k'))).toEqual(['v.json']);
    expect(await readFile(join(root, 'k', 'v.json'), 'utf8')).toBe('1');
  });

  test('keys with ".." segments or absolute keys are rejected and nothing is written outside the root', async () => {
    const bad = ['../escape', 'a/../../escape', '..', '/etc/passwd', 'a/./b', 'a//b'];
    for (const key of bad) {
      await expect(store.put(key, text('x'))).rejects.toBeInstanceOf(UsageError);
      await expect(store.putIfAbsent(key, text('x'))).rejects.toBeInstanceOf(UsageError);
      await expect(store.get(key)).rejects.toBeInstanceOf(UsageError);
      await expect(store.getRange(key, 0, 1)).rejects.toBeInstanceOf(UsageError);
      await expect(store.head(key)).rejects.toBeInstanceOf(UsageError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(UsageError);
      expect(() => store.localPath(key)).toThrow(UsageError);
    }
    expect(existsSync(join(dirname(root), 'escape'))).toBe(false);
    await mkdir(root, { recursive: true });
    writeFileSync(join(dirname(root), 'outside'), 'secret');
    expect(await keysOf(store.list('../'))).toEqual([]);
    expect(await keysOf(store.list('..'))).toEqual([]);
  });

  test('the root must be an absolute path', () => {
    expect(() => new LocalStore('relative/wh')).toThrow(UsageError);
    expect(() => new LocalStore('')).toThrow(UsageError);
    expect(new LocalStore('/tmp/wh/').uri).toBe('file:///tmp/wh');
  });

  test('delete removes folders it leaves empty, but never the root', async () => {
    await store.put('date=2025-04-01/part-0.parquet', text('a'));
    await store.put('date=2025-04-02/part-0.parquet', text('b'));
    await store.delete('date=2025-04-01/part-0.parquet');
    expect(readdirSync(root)).toEqual(['date=2025-04-02']);
    await store.delete('date=2025-04-02/part-0.parquet');
    expect(existsSync(root)).toBe(true);
    expect(readdirSync(root)).toEqual([]);
  });

  test('move renames a file into a new folder, keeps its etag, replaces the target and removes the folders it empties', async () => {
    const put = await store.put('raw/orders/a.csv', text('rows'));
    await store.put('archived/raw/orders/a.csv', text('older'));
    const moved = await store.move('raw/orders/a.csv', 'archived/raw/orders/a.csv');
    expect(moved).toEqual({ ...put, key: 'archived/raw/orders/a.csv' });
    expect(new TextDecoder().decode(await store.get('archived/raw/orders/a.csv'))).toBe('rows');
    expect(await store.head('raw/orders/a.csv')).toBeUndefined();
    expect(readdirSync(root)).toEqual(['archived']);
    // Nothing to move: undefined, nothing changes.
    expect(await store.move('raw/orders/a.csv', 'elsewhere/a.csv')).toBeUndefined();
    expect(readdirSync(root)).toEqual(['archived']);
    expect(() => store.localPath('../escape.csv')).toThrow(UsageError);
    await expect(store.move('archived/raw/orders/a.csv', '../escape.csv')).rejects.toThrow(UsageError);
  });

  test('a deep prefix only reads the folders it names', async () => {
    await store.put('tables/orders/date=2025-04-01/p.parquet', text('o'));
    await store.put('tables/orders/date=2025-04-02/p.parquet', text('o'));
    await store.put('tables/orders-archive/x.parquet', text('a'));
    await store.put('tables/users/u.parquet', text('u'));
    await store.put('other/big/tree/z.parquet', text('z'));
    const read: string[] = [];
    const io: WalkIo = {
      readdir: (path) => {
        read.push(relative(root, path));
        return readdir(path, { withFileTypes: true });
      },
      stat,
    };
    const walked = async (prefix: string, startAfter?: string): Promise<string[]> => {
      read.length = 0;
      const out: string[] = [];
      for await (const f of walkFiles(root, prefix, startAfter, io)) out.push(f.key);
      return out;
    };
    expect(await walked('tables/orders/date=2025-04-01')).toEqual(['tables/orders/date=2025-04-01/p.parquet']);
    expect(read).toEqual(['tables/orders', 'tables/orders/date=2025-04-01']);
    expect(await walked('tables/orders')).toEqual([
      'tables/orders-archive/x.parquet',
      'tables/orders/date=2025-04-01/p.parquet',
      'tables/orders/date=2025-04-02/p.parquet',
    ]);
    expect(read).not.toContain('tables/users');
    expect(read).not.toContain('other');
    // startAfter prunes whole folders that sort before it.
    expect(await walked('tables/', 'tables/orders/date=2025-04-01/p.parquet')).toEqual([
      'tables/orders/date=2025-04-02/p.parquet',
      'tables/users/u.parquet',
    ]);
    expect(read).not.toContain('tables/orders-archive');
  });
});
