/**
 * Lazily walks a local store's folder tree in lexicographic key order, visiting only the
 * folders that can hold keys with the wanted prefix and keys after `startAfter`.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareKeys, TEMP_PREFIX } from './keys.js';
import { fsCode } from './local-errors.js';

/** The filesystem calls the walk makes (replaceable in tests, to see which folders it reads). */
export interface WalkIo {
  /** `fs.promises.readdir` with `withFileTypes`. */
  readdir(path: string): Promise<Dirent[]>;
  /** `fs.promises.stat` (follows symlinks). */
  stat(path: string): Promise<{ isDirectory(): boolean; isFile(): boolean }>;
}

const NODE_IO: WalkIo = { readdir: (path) => readdir(path, { withFileTypes: true }), stat };

/** One file found by the walk. */
export interface WalkedFile {
  /** Key relative to the root, `/`-separated. */
  key: string;
  /** Absolute filesystem path. */
  path: string;
}

interface Entry {
  name: string;
  isDir: boolean;
  /** The entry's key, with a trailing `/` for folders so that folders sort like their contents. */
  sortKey: string;
}

/**
 * Yield the files under `root` whose key starts with `prefix` and sorts after `startAfter`, in key
 * order. Temporary files (basename starting with {@link TEMP_PREFIX}) are never yielded. The walk
 * starts at the deepest folder the prefix names, so a deep prefix does not scan the whole root.
 */
export async function* walkFiles(
  root: string,
  prefix: string,
  startAfter?: string,
  io: WalkIo = NODE_IO,
): AsyncGenerator<WalkedFile> {
  const cut = prefix.lastIndexOf('/') + 1;
  const dirKey = prefix.slice(0, cut);
  const segments = dirKey === '' ? [] : dirKey.slice(0, -1).split('/');
  // Keys never hold empty, `.`, `..` or temp segments: such a prefix matches nothing.
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith(TEMP_PREFIX))) return;
  yield* walkDir(io, join(root, ...segments), dirKey, prefix.slice(cut), startAfter);
}

async function* walkDir(
  io: WalkIo,
  dirPath: string,
  dirKey: string,
  namePrefix: string,
  startAfter: string | undefined,
): AsyncGenerator<WalkedFile> {
  for (const entry of await readEntries(io, dirPath, dirKey, namePrefix)) {
    if (startAfter !== undefined && !after(entry, startAfter)) continue;
    const path = join(dirPath, entry.name);
    if (entry.isDir) yield* walkDir(io, path, entry.sortKey, '', startAfter);
    else yield { key: entry.sortKey, path };
  }
}

/** True when the entry (a file, or any key inside a folder) may sort after `startAfter`. */
function after(entry: Entry, startAfter: string): boolean {
  if (entry.isDir && startAfter.startsWith(entry.sortKey)) return true;
  return compareKeys(entry.sortKey, startAfter) > 0;
}

/** The folder's files and subfolders whose name starts with `namePrefix`, sorted by key. */
async function readEntries(io: WalkIo, dirPath: string, dirKey: string, namePrefix: string): Promise<Entry[]> {
  let dirents: Dirent[];
  try {
    dirents = await io.readdir(dirPath);
  } catch (err) {
    const code = fsCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  const entries: Entry[] = [];
  for (const d of dirents) {
    if (!d.name.startsWith(namePrefix) || d.name.startsWith(TEMP_PREFIX)) continue;
    let isDir = d.isDirectory();
    let isFile = d.isFile();
    if (d.isSymbolicLink()) {
      const target = await io.stat(join(dirPath, d.name)).catch(() => undefined);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (!isDir && !isFile) continue;
    entries.push({ name: d.name, isDir, sortKey: dirKey + d.name + (isDir ? '/' : '') });
  }
  return entries.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
}
