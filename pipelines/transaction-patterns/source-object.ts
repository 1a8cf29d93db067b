/** Names one object by URI (`s3://bucket/key`, `file:///path`, or a path): its parent store and its key. */
import { UsageError } from '../../etl/errors.js';
import { openStore } from '../../etl/storage/open-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';

/** An object inside a store. */
export interface ObjectRef {
  /** The store holding it (its parent folder or prefix). */
  store: ObjectStore;
  /** Its key in `store`. */
  key: string;
}

/** Split `uri` at its last `/` into a store and a key. Throws `UsageError` when it names no file. */
export function objectAt(uri: string): ObjectRef {
  const trimmed = uri.trim();
  const cut = trimmed.lastIndexOf('/');
  const key = trimmed.slice(cut + 1);
  if (!key) throw new UsageError(`not a file: ${JSON.stringify(uri)}`);
  const parent = cut < 0 ? '.' : trimmed.slice(0, cut) || '/';
  if (/^s3:\/\/[^/]*$/i.test(parent + '/') || parent === 's3:/') throw new UsageError(`not an S3 object: ${JSON.stringify(uri)}`);
  return { store: openStore(parent), key };
}

/** Stream `[start, size)` of an object in pieces of `piece` bytes through ranged reads. */
export async function* rangeSource(ref: ObjectRef, start: number, size: number, piece = 8 << 20): AsyncGenerator<Uint8Array> {
  for (let at = start; at < size; at += piece) yield await ref.store.getRange(ref.key, at, Math.min(size, at + piece));
}
