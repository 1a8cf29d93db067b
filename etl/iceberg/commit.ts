/**
 * The optimistic commit of an Iceberg table: build new metadata from the current one, write it as the
 * next `metadata/<NNNNN>-<uuid>.metadata.json`, and compare-and-swap the catalog pointer. When another
 * writer swapped first (`CommitConflictError`), refresh and build again on the new metadata (the
 * builder re-applies the change or throws a conflict), after a jittered backoff, up to a limit.
 */
import { randomUUID } from 'node:crypto';
import { CommitConflictError } from '../errors.js';
import { CommitRetriesExhaustedError } from '../table/errors.js';
import { UnsupportedIcebergFeatureError } from './errors.js';
import type { MetadataPointer } from './metadata-pointer.js';
import type { IcebergTable } from './table.js';
import { metadataVersionOf, PREVIOUS_VERSIONS_MAX, serializeTableMetadata, type TableMetadata } from './table-metadata.js';

/** Options of the commit loop. */
export interface CommitOptions {
  /** Attempts before giving up (default 100). */
  maxAttempts?: number;
  /** Sleep function (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
}

/** What a builder returns: the next metadata, or `skip` when there is nothing to commit. */
export type BuildResult = TableMetadata | 'skip';

/** Outcome of the commit loop. */
export interface CommitOutcome {
  /** The metadata committed (or the current one when skipped). */
  metadata: TableMetadata;
  /** True when the builder found nothing to commit. */
  skipped: boolean;
  /** Attempts made. */
  attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Default number of previous metadata files the metadata log keeps. */
const DEFAULT_PREVIOUS_VERSIONS = 100;

/** The next metadata with the log of previous metadata files updated (trimmed to the table's limit). */
function withMetadataLog(next: TableMetadata, base: TableMetadata, baseLocation: string): TableMetadata {
  const max = Number(next.properties[PREVIOUS_VERSIONS_MAX] ?? DEFAULT_PREVIOUS_VERSIONS);
  const log = [...base['metadata-log'], { 'metadata-file': baseLocation, 'timestamp-ms': base['last-updated-ms'] }];
  return { ...next, 'metadata-log': log.slice(Math.max(0, log.length - Math.max(1, max))) };
}

/** Write `metadata` as the table's next metadata file; returns its URI. */
export async function writeMetadataFile(table: IcebergTable, metadata: TableMetadata, previousLocation: string | undefined): Promise<string> {
  const previous = previousLocation === undefined ? -1 : (metadataVersionOf(previousLocation) ?? metadata['metadata-log'].length - 1);
  const key = `metadata/${String(previous + 1).padStart(5, '0')}-${randomUUID()}.metadata.json`;
  await table.store.putIfAbsent(key, new TextEncoder().encode(serializeTableMetadata(metadata)));
  return table.files.uriOf(key);
}

/**
 * Commit the metadata `build` makes from the table's current metadata. `build` is called once per
 * attempt with the freshest metadata; it may throw (a real conflict) to stop.
 */
export async function commitMetadata(
  table: IcebergTable,
  build: (base: TableMetadata, attempt: number) => Promise<BuildResult>,
  options: CommitOptions = {},
): Promise<CommitOutcome> {
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 100;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const base = table.metadata;
    const basePointer: MetadataPointer = table.pointer;
    if (base['format-version'] !== 2) {
      throw new UnsupportedIcebergFeatureError(`${table.identifier}: writing needs format version 2; the table has ${base['format-version']}`);
    }
    const built = await build(base, attempt);
    if (built === 'skip') return { metadata: base, skipped: true, attempts: attempt };
    const next = withMetadataLog(built, base, basePointer.metadataLocation);
    const location = await writeMetadataFile(table, next, basePointer.metadataLocation);
    try {
      const pointer = await table.pointers.swap(table.identifier, basePointer, location);
      table.adopt(next, pointer);
      return { metadata: next, skipped: false, attempts: attempt };
    } catch (err) {
      if (!(err instanceof CommitConflictError)) {
        // The swap's outcome is unknown (a timeout after the catalog applied it?): ask the catalog.
        const now = await table.pointers.current(table.identifier).catch(() => undefined);
        if (now?.metadataLocation === location) {
          table.adopt(next, now);
          return { metadata: next, skipped: false, attempts: attempt };
        }
        throw err;
      }
      await table.files.delete(location).catch(() => undefined);
    }
    await sleep(Math.random() * Math.min(1000, 5 * 2 ** Math.min(attempt, 8)));
    await table.refresh();
  }
  throw new CommitRetriesExhaustedError(maxAttempts, table.files.root);
}
