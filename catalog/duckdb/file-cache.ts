/**
 * A local copy of remote data files, so DuckDB can read an S3 warehouse without its httpfs
 * extension. Data files are immutable, so a copy keyed by the file's URI and ETag never goes stale;
 * a file replaced under the same key gets a new ETag and so a new copy. Copies are written to a
 * temporary name and renamed into place, so concurrent processes sharing the folder are safe.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, StorageError } from '../../etl/errors.js';
import type { ObjectMeta, ObjectStore } from '../../etl/storage/object-store.js';

/** The default cache folder: `$LAKEHOUSE_CACHE_DIR`, else `$XDG_CACHE_HOME/lakehouse`, else `~/.cache/lakehouse`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAKEHOUSE_CACHE_DIR) return env.LAKEHOUSE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lakehouse');
}

/** How many downloads run at once. */
const PARALLEL = 8;
/** Above this many files of unknown ETag, one listing of the table beats a HEAD per file. */
const LIST_THRESHOLD = 32;

/** Counters, for tests and diagnostics. */
export interface FileCacheStats {
  /** Files downloaded. */
  downloads: number;
  /** Bytes downloaded. */
  bytesDownloaded: number;
  /** Files served from an existing copy. */
  hits: number;
}

/** A folder of local copies of remote files. */
export class FileCache {
  /** The cache folder. */
  readonly dir: string;
  /** Counters since this cache was created. */
  readonly stats: FileCacheStats = { downloads: 0, bytesDownloaded: 0, hits: 0 };
  /** ETag and size of remote files already seen, by URI (the files are immutable). */
  private readonly metas = new Map<string, ObjectMeta>();
  /** Downloads in flight, by cache path. */
  private readonly inflight = new Map<string, Promise<void>>();

  /** A cache in `dir` (created on the first download). */
  constructor(dir: string = defaultCacheDir()) {
    this.dir = dir;
  }

  /**
   * Local paths of `keys` of `store`, in order, downloading the files not cached yet. Their
   * ETags come from one listing of `listPrefix` when many are unknown, else from a HEAD each.
   * Throws `NotFoundError` when a file is missing, `StorageError` when a download is cut short.
   */
  async localPaths(store: ObjectStore, keys: string[], listPrefix = ''): Promise<string[]> {
    await this.learnMetas(store, keys, listPrefix);
    return mapLimit(keys, PARALLEL, (key) => this.localPath(store, key));
  }

  private async localPath(store: ObjectStore, key: string): Promise<string> {
    const uri = store.uriOf(key);
    const meta = this.metas.get(uri);
    if (!meta) throw new StorageError(`no ETag known for ${uri}`);
    const hash = createHash('sha256').update(`${uri}\n${meta.etag}`).digest('hex');
    const path = join(this.dir, hash.slice(0, 2), `${hash}.parquet`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isFile() && existing.size === meta.size) {
      this.stats.hits++;
      return path;
    }
    let download = this.inflight.get(path);
    if (!download) {
      download = this.download(store, key, meta, path).finally(() => this.inflight.delete(path));
      this.inflight.set(path, download);
    }
    await download;
    return path;
  }

  private async download(store: ObjectStore, key: string, meta: ObjectMeta, path: string): Promise<void> {
    const bytes = await store.get(key);
    if (bytes.byteLength !== meta.size) {
      throw new StorageError(`downloaded ${bytes.byteLength} bytes of ${store.uriOf(key)}, expected ${meta.size}`);
    }
    await mkdir(join(path, '..'), { recursive: true });
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
    this.stats.downloads++;
    this.stats.bytesDownloaded += bytes.byteLength;
  }

  /** Learn the ETags of the keys not seen yet. */
  private async learnMetas(store: ObjectStore, keys: string[], listPrefix: string): Promise<void> {
    const unknown = keys.filter((key) => !this.metas.has(store.uriOf(key)));
    if (unknown.length === 0) return;
    if (unknown.length > LIST_THRESHOLD) {
      for await (const meta of store.list(listPrefix)) this.metas.set(store.uriOf(meta.key), meta);
    }
    await mapLimit(
      unknown.filter((key) => !this.metas.has(store.uriOf(key))),
      PARALLEL,
      async (key) => {
        const meta = await store.head(key);
        if (!meta) throw new NotFoundError(`data file ${store.uriOf(key)} does not exist (was the table vacuumed?)`);
        this.metas.set(store.uriOf(key), meta);
      },
    );
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
