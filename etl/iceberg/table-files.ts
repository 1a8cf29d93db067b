/**
 * Where a table's files are: Iceberg v2 metadata names every file by its full URI
 * (`s3://bucket/wh/db/t/data/...`, `file:///wh/db/t/data/...`), while this project reads and writes
 * through an ObjectStore rooted at the table folder. This maps one to the other; a file outside the
 * table folder (a table whose data lives elsewhere) is reached through a store opened at its folder.
 */
import { pathToFileURL } from 'node:url';
import { openStore } from '../storage/open-store.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Normalise a location to the URI form stores produce (`/abs/path` and `file:/abs` become `file:///abs`). */
export function normalizeUri(uri: string): string {
  if (uri.startsWith('/')) return pathToFileURL(uri).href;
  if (/^file:\/[^/]/i.test(uri)) return `file:///${uri.slice('file:/'.length)}`;
  if (/^s3[an]:\/\//i.test(uri)) return `s3://${uri.replace(/^s3[an]:\/\//i, '')}`;
  return uri;
}

/** The files of one table: its root store, and URI <-> key mapping. */
export class TableFiles {
  /** The table root's URI, without trailing `/`. */
  readonly root: string;
  private readonly others = new Map<string, ObjectStore>();

  /** @param store The store rooted at the table folder. */
  constructor(readonly store: ObjectStore) {
    this.root = normalizeUri(store.uri).replace(/\/+$/, '');
  }

  /** The URI metadata records for a key relative to the table root. */
  uriOf(key: string): string {
    return this.store.uriOf(key);
  }

  /** The key relative to the table root of a URI (or of a relative path), or undefined when it lies outside. */
  keyOf(uri: string): string | undefined {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/')) return uri.replace(/^\/+/, '');
    const normal = normalizeUri(uri);
    if (!normal.startsWith(`${this.root}/`)) return undefined;
    const rest = normal.slice(this.root.length + 1);
    return /^file:/i.test(normal) ? decodeURIComponent(rest) : rest;
  }

  /** The store and key through which a URI is read or deleted. */
  locate(uri: string): { store: ObjectStore; key: string } {
    const key = this.keyOf(uri);
    if (key !== undefined) return { store: this.store, key };
    const normal = normalizeUri(uri);
    const cut = normal.lastIndexOf('/');
    const folder = normal.slice(0, cut);
    let store = this.others.get(folder);
    if (!store) {
      store = openStore(folder);
      this.others.set(folder, store);
    }
    const name = normal.slice(cut + 1);
    return { store, key: /^file:/i.test(normal) ? decodeURIComponent(name) : name };
  }

  /** Read a whole file by URI. */
  read(uri: string): Promise<Uint8Array> {
    const { store, key } = this.locate(uri);
    return store.get(key);
  }

  /** Delete a file by URI (absent is fine). */
  delete(uri: string): Promise<void> {
    const { store, key } = this.locate(uri);
    return store.delete(key);
  }
}
