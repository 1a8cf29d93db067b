/**
 * What an Iceberg commit needs from a catalog: read the current metadata location of a table and
 * swap it atomically. `etl/iceberg` declares it; `catalog/` (embedded catalog, Glue) implements it.
 */

/** The current pointer of a table, with the token the swap must present. */
export interface MetadataPointer {
  /** URI (or store key) of the current `metadata/*.metadata.json`. */
  metadataLocation: string;
  /** Opaque version token (Glue `VersionId`, an embedded catalog's entry version); passed back to `swap`. */
  token: string;
}

/** A compare-and-swap register of metadata locations, one per table. */
export interface MetadataPointerStore {
  /** The current pointer of `table` (`database.name`), or undefined when the table is not registered. */
  current(table: string): Promise<MetadataPointer | undefined>;
  /**
   * Point `table` at `next` only if its pointer is still `expected` (undefined: the table must not
   * exist yet). Throws `CommitConflictError` (transient) when another writer swapped first.
   */
  swap(table: string, expected: MetadataPointer | undefined, next: string): Promise<MetadataPointer>;
}
