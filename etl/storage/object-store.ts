/**
 * The one storage interface every layer writes through. Keys are relative to the store's root and
 * use `/` as separator (`processed/ecommerce/orders/_delta_log/00000000000000000000.json`).
 */

/** What a store knows about one object. */
export interface ObjectMeta {
  /** Key relative to the store root. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Last modification time. */
  lastModified: Date;
  /** Version tag: the S3 ETag, or `<size>-<mtimeMs>` on a local folder. Changes when the object is replaced. */
  etag: string;
}

/** A body to store: bytes, or a stream of byte chunks for large objects. */
export type Body = Uint8Array | AsyncIterable<Uint8Array>;

/** Options for listing. */
export interface ListOptions {
  /** Only keys strictly greater than this one (lexicographic), like S3 `StartAfter`. */
  startAfter?: string;
  /** Stop after this many keys. */
  limit?: number;
}

/** Moves bytes; knows nothing of tables. */
export interface ObjectStore {
  /** The URI of the root, e.g. `file:///data/wh` or `s3://bucket/prefix`. */
  readonly uri: string;
  /** Read a whole object. Throws `NotFoundError` when absent. */
  get(key: string): Promise<Uint8Array>;
  /** Read bytes `[start, end)` of an object. Throws `NotFoundError` when absent. */
  getRange(key: string, start: number, end: number): Promise<Uint8Array>;
  /** Write an object, replacing any previous one. Atomic: readers see the old or the new body, never a part. */
  put(key: string, body: Body): Promise<ObjectMeta>;
  /** Write an object only if the key is absent. Throws `AlreadyExistsError` when it exists; exactly one of concurrent callers wins. */
  putIfAbsent(key: string, body: Uint8Array): Promise<ObjectMeta>;
  /** List objects whose key starts with `prefix`, in lexicographic key order, page by page under the hood. */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectMeta>;
  /** Metadata of one object, or `undefined` when absent. */
  head(key: string): Promise<ObjectMeta | undefined>;
  /** Delete an object; deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Remove what writes that never finished left behind under `prefix` and began before `before`
   * (a local folder's temp files from a killed process; S3's incomplete multipart uploads).
   * Returns how many were removed. Readers never see these; this only reclaims space.
   */
  removeIncompleteWrites(prefix: string, before: Date): Promise<number>;
  /** The full URI of a key, for messages and for engines that read the object directly. */
  uriOf(key: string): string;
  /** A local filesystem path for the key when the store is a local folder, else `undefined`. */
  localPath(key: string): string | undefined;
}
