/**
 * A small real MetadataPointerStore on an ObjectStore, for the Iceberg tests: pointer version `v` of a
 * table is the create-only object `<root>/_pointers/<table>/<v, 20 digits>.json`; the current pointer is
 * the highest version. A swap creates version `expected + 1`, so exactly one of concurrent swappers from
 * the same pointer wins (the others find the key taken: `CommitConflictError`). Also a read-only adapter
 * that points at a fixed metadata location (tables pyiceberg wrote).
 */
import { AlreadyExistsError, CommitConflictError, UsageError } from '../../etl/errors.js';
import type { MetadataPointer, MetadataPointerStore } from '../../etl/iceberg/metadata-pointer.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';

const pad = (v: number) => String(v).padStart(20, '0');

/** Pointer versions as create-only objects in a store. */
export class ObjectStorePointerStore implements MetadataPointerStore {
  /** @param store Where pointers live. @param root Folder of the pointers inside the store. */
  constructor(
    private readonly store: ObjectStore,
    private readonly root = '_pointers',
  ) {}

  private folder(table: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(table)) throw new UsageError(`bad table identifier ${table}`);
    return `${this.root}/${table}/`;
  }

  /** The highest pointer version of `table`, or undefined. */
  async current(table: string): Promise<MetadataPointer | undefined> {
    let last: string | undefined;
    for await (const meta of this.store.list(this.folder(table))) if (meta.key.endsWith('.json')) last = meta.key;
    if (!last) return undefined;
    const { metadataLocation } = JSON.parse(new TextDecoder().decode(await this.store.get(last))) as { metadataLocation: string };
    const version = Number(last.slice(last.lastIndexOf('/') + 1, -'.json'.length));
    return { metadataLocation, token: String(version) };
  }

  /** Create pointer version `expected + 1` (0 for a new table); a taken version means another writer won. */
  async swap(table: string, expected: MetadataPointer | undefined, next: string): Promise<MetadataPointer> {
    const version = expected ? Number(expected.token) + 1 : 0;
    const body = new TextEncoder().encode(JSON.stringify({ metadataLocation: next, previous: expected?.metadataLocation ?? null }));
    try {
      await this.store.putIfAbsent(`${this.folder(table)}${pad(version)}.json`, body);
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw new CommitConflictError(`${table}: pointer version ${version} was taken by another writer`, { cause: err });
      throw err;
    }
    return { metadataLocation: next, token: String(version) };
  }
}

/** A read-only pointer register holding one table at a fixed metadata location. */
export class FixedPointerStore implements MetadataPointerStore {
  /** @param metadataLocation The table's metadata file. */
  constructor(private readonly metadataLocation: string) {}

  /** Always the fixed location. */
  async current(): Promise<MetadataPointer | undefined> {
    return { metadataLocation: this.metadataLocation, token: '0' };
  }

  /** Refuses: this register is read-only. */
  async swap(table: string): Promise<MetadataPointer> {
    throw new UsageError(`${table} is read-only here`);
  }
}
