/**
 * Pointer stores for the Iceberg tests: the embedded catalog itself (so the concurrency and crash tests
 * commit through the product's catalog), and a read-only adapter that points at a fixed metadata
 * location (tables pyiceberg wrote).
 */
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { UsageError } from '../../etl/errors.js';
import type { MetadataPointer, MetadataPointerStore } from '../../etl/iceberg/metadata-pointer.js';

/**
 * The embedded catalog (the product's own pointer store for Iceberg) over a warehouse store, creating a
 * table's database on its first swap so tests need no setup step.
 */
export class ObjectStorePointerStore extends EmbeddedCatalog {
  /** See MetadataPointerStore.swap; the database is created first (idempotent). */
  override async swap(table: string, expected: MetadataPointer | undefined, next: string): Promise<MetadataPointer> {
    if (expected === undefined) await this.createDatabase(table.split('.')[0]!);
    return super.swap(table, expected, next);
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
