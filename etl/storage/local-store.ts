/**
 * An {@link ObjectStore} over a local folder. Writes go to a temporary file next to the target
 * and are then renamed (replace) or hard-linked (create-only) into place, so readers never see a
 * partial object and exactly one of concurrent create-only writers wins, even across processes.
 */
import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlreadyExistsError, UsageError } from '../errors.js';
import { checkRange, TEMP_PREFIX, validateKey } from './keys.js';
import { fsCode, isFsError, mapFsError } from './local-errors.js';
import { walkFiles } from './local-walk.js';
import type { Body, ListOptions, ObjectMeta, ObjectStore } from './object-store.js';

/** How often creating a temp file is retried when a concurrent `delete` removes its fresh folder. */
const MKDIR_ATTEMPTS = 5;

/** A fully written temporary file. */
interface TempFile {
  path: string;
  stats: Stats;
}

/** Stores each object as a file under a root folder; the key's segments are the path. */
export class LocalStore implements ObjectStore {
  /** `file://` URL of the root folder. */
  readonly uri: string;
  /** Absolute path of the root folder. */
  readonly root: string;

  /** Open a store rooted at `root`, an absolute path (the folder is created on the first write). */
  constructor(root: string) {
    if (typeof root !== 'string' || !isAbsolute(root)) {
      throw new UsageError(`a local store needs an absolute root path, got ${JSON.stringify(root)}`);
    }
    this.root = resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  /** Absolute path of `key`'s file. Throws `UsageError` for an invalid key (`..`, absolute, ...). */
  localPath(key: string): string {
    validateKey(key, this.uri);
    return join(this.root, ...key.split('/'));
  }

  /** `file://` URL of `key`'s file (percent-encoded, so spaces appear as `%20`). */
  uriOf(key: string): string {
    return pathToFileURL(this.localPath(key)).href;
  }

  /** Read the whole file. Throws `NotFoundError` when absent. */
  async get(key: string): Promise<Uint8Array> {
    const path = this.localPath(key);
    try {
      const buf = await readFile(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      throw mapFsError(err, 'get', this.uriOf(key));
    }
  }

  /** Read bytes `[start, end)`; a range past the end is cut short. Throws `NotFoundError` when absent. */
  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    checkRange(start, end, this.uriOf(key));
    const path = this.localPath(key);
    try {
      const fh = await open(path, 'r');
      try {
        const out = new Uint8Array(end - start);
        let filled = 0;
        do {
          const { bytesRead } = await fh.read(out, filled, out.length - filled, start + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        } while (filled < out.length);
        return out.subarray(0, filled);
      } finally {
        await fh.close();
      }
    } catch (err) {
      throw mapFsError(err, 'getRange', this.uriOf(key));
    }
  }

  /** Write `body` to a temp file in the target's folder, then rename it over the target (atomic replace). */
  async put(key: string, body: Body): Promise<ObjectMeta> {
    const target = this.localPath(key);
    const temp = await this.writeTemp(target, body, key);
    try {
      await rename(temp.path, target);
    } catch (err) {
      await rm(temp.path, { force: true });
      throw mapFsError(err, 'put', this.uriOf(key), false);
    }
    return toMeta(key, temp.stats);
  }

  /**
   * Write `body` to a temp file, then hard-link it to the target: `link` fails with `EEXIST` when the
   * target exists, so exactly one of concurrent writers (in any process) wins, and the winner's
   * file is complete before it becomes visible. Throws `AlreadyExistsError` when the key exists.
   */
  async putIfAbsent(key: string, body: Uint8Array): Promise<ObjectMeta> {
    const target = this.localPath(key);
    const temp = await this.writeTemp(target, body, key);
    try {
      await link(temp.path, target);
    } catch (err) {
      if (fsCode(err) === 'EEXIST') throw new AlreadyExistsError(`${this.uriOf(key)} already exists`, { cause: err });
      throw mapFsError(err, 'putIfAbsent', this.uriOf(key), false);
    } finally {
      await rm(temp.path, { force: true });
    }
    return toMeta(key, temp.stats);
  }

  /** Files whose key starts with `prefix` (a plain string prefix), in key order; temp files are skipped. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const { startAfter, limit } = options;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new UsageError(`list limit must be a non-negative integer, got ${limit}`);
    }
    if (limit === 0) return;
    let count = 0;
    try {
      for await (const file of walkFiles(this.root, prefix, startAfter)) {
        const stats = await stat(file.path).catch((err: unknown) => {
          if (fsCode(err) === 'ENOENT') return undefined; // deleted since the folder was read
          throw err;
        });
        if (!stats?.isFile()) continue;
        yield toMeta(file.key, stats);
        if (limit !== undefined && ++count >= limit) return;
      }
    } catch (err) {
      throw mapFsError(err, 'list', `${this.uri}/${prefix}`, false);
    }
  }

  /** Size, mtime and etag of the file, or `undefined` when there is no file at `key`. */
  async head(key: string): Promise<ObjectMeta | undefined> {
    const path = this.localPath(key);
    try {
      const stats = await stat(path);
      return stats.isFile() ? toMeta(key, stats) : undefined;
    } catch (err) {
      const code = fsCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw mapFsError(err, 'head', this.uriOf(key));
    }
  }

  /** Remove the file (absent is fine), then the folders it leaves empty, up to (not including) the root. */
  async delete(key: string): Promise<void> {
    const path = this.localPath(key);
    try {
      await unlink(path);
    } catch (err) {
      const code = fsCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return;
      throw mapFsError(err, 'delete', this.uriOf(key), false);
    }
    await this.removeEmptyFolders(dirname(path));
  }

  /**
   * Move the file at `from` to `to` with one rename (replacing a file at `to`), keeping its etag, and
   * remove the folders it leaves empty. Returns the moved file's metadata, or `undefined` when nothing
   * moved: `from` is absent, or `to` is on another filesystem (copy instead).
   */
  async move(from: string, to: string): Promise<ObjectMeta | undefined> {
    const source = this.localPath(from);
    const target = this.localPath(to);
    try {
      if (!(await this.head(from))) return undefined;
      await mkdir(dirname(target), { recursive: true });
      await rename(source, target);
    } catch (err) {
      const code = fsCode(err);
      if (code === 'ENOENT' || code === 'EXDEV') return undefined;
      throw mapFsError(err, 'move', this.uriOf(from), false);
    }
    await this.removeEmptyFolders(dirname(source));
    return this.head(to);
  }

  /** Remove `dir` and its parents while they are empty, up to (not including) the root. */
  private async removeEmptyFolders(dir: string): Promise<void> {
    for (; dir !== this.root && dir.startsWith(this.root); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break; // not empty (or already gone, or in use): leave it
      }
    }
  }

  /** Delete temp files of writes that never finished (their process died), under `prefix`, older than `before`. */
  async removeIncompleteWrites(prefix: string, before: Date): Promise<number> {
    const cut = prefix.lastIndexOf('/') + 1;
    const start = join(this.root, ...prefix.slice(0, cut).split('/').filter((s) => s !== ''));
    let removed = 0;
    const visit = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await visit(path);
        else if (entry.name.startsWith(TEMP_PREFIX)) {
          const stats = await stat(path).catch(() => undefined);
          if (stats && stats.mtimeMs < before.getTime() && (await rm(path, { force: true }).then(() => true, () => false))) removed++;
        }
      }
    };
    await visit(start);
    return removed;
  }

  /** Write `body` to a new temp file in the target's folder; returns its path and final stats. */
  private async writeTemp(target: string, body: Body, key: string): Promise<TempFile> {
    const dir = dirname(target);
    const path = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    const fh = await this.createTemp(dir, path, key);
    try {
      await writeFile(fh, body);
      const stats = await fh.stat();
      await fh.close();
      return { path, stats };
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(path, { force: true });
      // An error thrown by the caller's body stream passes through unchanged.
      throw isFsError(err) ? mapFsError(err, 'write', this.uriOf(key), false) : err;
    }
  }

  /** Create the folder and open the temp file exclusively. */
  private async createTemp(dir: string, path: string, key: string): Promise<FileHandle> {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dir, { recursive: true });
        return await open(path, 'wx');
      } catch (err) {
        // A concurrent delete may remove the freshly created (still empty) folder: create it again.
        if (fsCode(err) === 'ENOENT' && attempt < MKDIR_ATTEMPTS) continue;
        throw mapFsError(err, 'write', this.uriOf(key), false);
      }
    }
  }
}

function toMeta(key: string, stats: Stats): ObjectMeta {
  return { key, size: stats.size, lastModified: new Date(stats.mtimeMs), etag: `${stats.size}-${Math.trunc(stats.mtimeMs)}` };
}
