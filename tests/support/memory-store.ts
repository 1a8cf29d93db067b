/** A tiny in-memory ObjectStore for unit tests: a Map from key to bytes, with the interface's semantics. */
import { AlreadyExistsError, NotFoundError } from '../../etl/errors.js';
import type { Body, ListOptions, ObjectMeta, ObjectStore } from '../../etl/storage/object-store.js';

interface Entry {
  body: Uint8Array;
  meta: ObjectMeta;
}

/** ObjectStore over a Map. Bodies are copied in and out, so callers cannot alias stored bytes. */
export class MemoryStore implements ObjectStore {
  /** `memory://<name>`. */
  readonly uri: string;
  private readonly objects = new Map<string, Entry>();
  private version = 0;
  /** Number of `put`/`putIfAbsent` calls that stored an object. */
  puts = 0;

  /** @param name Shown in `uri`. */
  constructor(name = 'test') {
    this.uri = `memory://${name}`;
  }

  /** Read a whole object. */
  async get(key: string): Promise<Uint8Array> {
    return this.entry(key).body.slice();
  }

  /** Read bytes `[start, end)` of an object. */
  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    return this.entry(key).body.slice(start, end);
  }

  /** Store an object, replacing any previous one. */
  async put(key: string, body: Body): Promise<ObjectMeta> {
    return this.store(key, await collect(body));
  }

  /** Store an object only when the key is absent. */
  async putIfAbsent(key: string, body: Uint8Array): Promise<ObjectMeta> {
    if (this.objects.has(key)) throw new AlreadyExistsError(`${this.uriOf(key)} already exists`);
    return this.store(key, body.slice());
  }

  /** Objects whose key starts with `prefix`, in key order. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && (options.startAfter === undefined || k > options.startAfter)).sort();
    const limited = options.limit === undefined ? keys : keys.slice(0, options.limit);
    for (const key of limited) yield { ...this.objects.get(key)!.meta };
  }

  /** Metadata of one object, or undefined. */
  async head(key: string): Promise<ObjectMeta | undefined> {
    const entry = this.objects.get(key);
    return entry ? { ...entry.meta } : undefined;
  }

  /** Delete an object (absent is fine). */
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  /** Always 0: a Map write cannot be left half done. */
  async removeIncompleteWrites(): Promise<number> {
    return 0;
  }

  /** `memory://<name>/<key>`. */
  uriOf(key: string): string {
    return `${this.uri}/${key}`;
  }

  /** Always undefined: nothing is on disk. */
  localPath(): string | undefined {
    return undefined;
  }

  /** Every key currently stored, sorted. */
  keys(): string[] {
    return [...this.objects.keys()].sort();
  }

  private entry(key: string): Entry {
    const entry = this.objects.get(key);
    if (!entry) throw new NotFoundError(`${this.uriOf(key)} does not exist`);
    return entry;
  }

  private store(key: string, body: Uint8Array): ObjectMeta {
    const meta: ObjectMeta = { key, size: body.byteLength, lastModified: new Date(), etag: `${body.byteLength}-${++this.version}` };
    this.objects.set(key, { body, meta });
    this.puts++;
    return { ...meta };
  }
}

async function collect(body: Body): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body.slice();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
