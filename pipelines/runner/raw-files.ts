/**
 * The raw zone: CSV drops under `<raw>/<dataset>/` (any names, `.csv` or `.csv.gz`), each identified by
 * its key and version tag (S3 ETag; size and modification time on a local folder), and archived to
 * `<raw>/archived/<run date>/<dataset>/` once ingested.
 */
import { createHash } from 'node:crypto';
import { LocalStore } from '../../etl/storage/local-store.js';
import type { ObjectMeta, ObjectStore } from '../../etl/storage/object-store.js';

/** The folder archived files move to. */
export const ARCHIVE_DIR = 'archived';

/** One raw file as found in the raw zone. */
export interface RawFile {
  /** Dataset (the folder under the raw root). */
  dataset: string;
  /** Key relative to the raw root, e.g. `orders/orders-2025-04-01.csv`. */
  key: string;
  /** Full URI, recorded as `source_uri`. */
  uri: string;
  /** Size in bytes. */
  size: number;
  /** Version tag; changes when the file is replaced in place. */
  etag: string;
  /** The ingest ledger's id of this exact file version: a hash of dataset, key and etag. */
  fileId: string;
}

const RAW_NAME = /\.csv(\.gz)?$/i;

/** The ledger id of one version of one raw file. */
export function fileIdOf(dataset: string, key: string, etag: string): string {
  return createHash('sha256').update(`${dataset}\n${key}\n${etag}`).digest('hex').slice(0, 32);
}

function toRawFile(store: ObjectStore, dataset: string, meta: ObjectMeta): RawFile {
  return { dataset, key: meta.key, uri: store.uriOf(meta.key), size: meta.size, etag: meta.etag, fileId: fileIdOf(dataset, meta.key, meta.etag) };
}

/** The CSV files of a dataset in key order (sub-folders included, the archive excluded). */
export async function listRawFiles(store: ObjectStore, dataset: string): Promise<RawFile[]> {
  const files: RawFile[] = [];
  for await (const meta of store.list(`${dataset}/`)) {
    if (!RAW_NAME.test(meta.key)) continue;
    files.push(toRawFile(store, dataset, meta));
  }
  return files;
}

/** `YYYY-MM-DD` of a run's start, the archive folder name. */
export function runDate(startedAt: Date): string {
  return startedAt.toISOString().slice(0, 10);
}

/**
 * Move a raw file to `archived/<run date>/<key>`: a rename on a local folder, else a copy then a delete.
 * Only the version that was ingested moves: if the file was replaced meanwhile (another etag), it
 * stays for the next run.
 */
export async function archiveRawFile(store: ObjectStore, file: RawFile, startedAt: Date): Promise<'archived' | 'changed' | 'gone'> {
  const now = await store.head(file.key);
  if (!now) return 'gone';
  if (now.etag !== file.etag) return 'changed';
  const target = `${ARCHIVE_DIR}/${runDate(startedAt)}/${file.key}`;
  if (store instanceof LocalStore) {
    // A local file moves with one rename instead of a copy of its bytes.
    const moved = await store.move(file.key, target);
    if (moved !== undefined) {
      if (moved.etag === file.etag) return 'archived';
      // Replaced between the check and the rename: the new version goes back for the next run.
      await store.move(target, file.key);
      return 'changed';
    }
  }
  await store.put(target, rangeChunks(store, file.key, now.size));
  const again = await store.head(file.key);
  if (again && again.etag === file.etag) await store.delete(file.key);
  return 'archived';
}

/** Bytes read at a time when a raw file is copied to the archive (the file is never held whole). */
const ARCHIVE_CHUNK = 8 * 1024 * 1024;

/** The object's bytes as ranged reads of `ARCHIVE_CHUNK` bytes. */
async function* rangeChunks(store: ObjectStore, key: string, size: number): AsyncGenerator<Uint8Array> {
  if (size === 0) yield new Uint8Array(0);
  for (let at = 0; at < size; at += ARCHIVE_CHUNK) yield await store.getRange(key, at, Math.min(size, at + ARCHIVE_CHUNK));
}
