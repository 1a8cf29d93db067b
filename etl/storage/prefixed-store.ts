/** A view of an ObjectStore rooted at a key prefix (a table's folder), so table code deals in table-relative keys. */
import { joinKey } from './keys.js';
import type { Body, ListOptions, ObjectMeta, ObjectStore } from './object-store.js';


/** An ObjectStore whose keys are relative to `prefix` inside `inner`. */
export class PrefixedStore implements ObjectStore {
  /** The underlying store. */
  readonly inner: ObjectStore;
  /** The folder inside the underlying store, without trailing slash. */
  readonly prefix: string;

  constructor(inner: ObjectStore, prefix: string) {
    this.inner = inner;
    this.prefix = joinKey(prefix);
  }

  /** URI of the prefix. */
  get uri(): string {
    return this.inner.uriOf(this.prefix);
  }

  private full(key: string): string {
    return joinKey(this.prefix, key);
  }

  private strip(meta: ObjectMeta): ObjectMeta {
    return { ...meta, key: meta.key.slice(this.prefix.length + (this.prefix ? 1 : 0)) };
  }

  /** See ObjectStore.get. */
  get(key: string): Promise<Uint8Array> {
    return this.inner.get(this.full(key));
  }
  /** See ObjectStore.getRange. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    return this.inner.getRange(this.full(key), start, end);
  }
  /** See ObjectStore.put. */
  async put(key: string, body: Body): Promise<ObjectMeta> {
    return this.strip(await this.inner.put(this.full(key), body));
  }
  /** See ObjectStore.putIfAbsent. */
  async putIfAbsent(key: string, body: Uint8Array): Promise<ObjectMeta> {
    return this.strip(await this.inner.putIfAbsent(this.full(key), body));
  }
  /** See ObjectStore.list. */
  async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    const base = this.prefix ? `${this.prefix}/` : '';
    const startAfter = options?.startAfter !== undefined ? base + options.startAfter : undefined;
    for await (const meta of this.inner.list(base + prefix, { ...options, startAfter })) {
      yield this.strip(meta);
    }
  }
  /** See ObjectStore.head. */
  async head(key: string): Promise<ObjectMeta | undefined> {
    const meta = await this.inner.head(this.full(key));
    return meta && this.strip(meta);
  }
  /** See ObjectStore.delete. */
  delete(key: string): Promise<void> {
    return this.inner.delete(this.full(key));
  }
  /** See ObjectStore.removeIncompleteWrites. */
  removeIncompleteWrites(prefix: string, before: Date): Promise<number> {
    return this.inner.removeIncompleteWrites(this.full(prefix) + (prefix === '' || prefix.endsWith('/') ? '/' : ''), before);
  }
  /** See ObjectStore.uriOf. */
  uriOf(key: string): string {
    return this.inner.uriOf(this.full(key));
  }
  /** See ObjectStore.localPath. */
  localPath(key: string): string | undefined {
    return this.inner.localPath(this.full(key));
  }
}
