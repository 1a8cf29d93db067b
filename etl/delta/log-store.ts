/**
 * The commit protocol of a Delta table (delta-rs calls this the LogStore): a commit is a create-only
 * put of `_delta_log/<version>.json`; "already exists" means another writer took that version.
 */
import { AlreadyExistsError, NotFoundError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { checkpointFileName, commitFileName, parseActions, serializeActions, type Action } from './actions.js';
import { CorruptLogError } from './errors.js';

/** Folder of the log, relative to the table root. */
export const LOG_DIR = '_delta_log';

/** One file of the log as listed. */
export interface LogFile {
  /** Version the file belongs to. */
  version: number;
  /** `commit` for a JSON commit, `checkpoint` for a (single- or multi-part) Parquet checkpoint. */
  kind: 'commit' | 'checkpoint';
  /** Key relative to the table root. */
  key: string;
  /** For multi-part checkpoints: this part's number and the part count. */
  part?: { index: number; count: number };
  /** Last modification time of the file. */
  lastModified: Date;
}

/** Contents of `_delta_log/_last_checkpoint`. */
export interface LastCheckpoint {
  /** Version of the latest checkpoint. */
  version: number;
  /** Number of actions in it. */
  size: number;
  /** Number of parts of a multi-part checkpoint. */
  parts?: number;
}

const COMMIT_RE = /^(\d{20})\.json$/;
const CHECKPOINT_RE = /^(\d{20})\.checkpoint(?:\.(\d{10})\.(\d{10}))?\.parquet$/;

/** Reads and writes the files of `_delta_log/` of one table. */
export class LogStore {
  /** The table-rooted store. */
  readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  /** Write the commit of `version`. Returns false when that version already exists (another writer won). */
  async tryCommit(version: number, actions: Action[]): Promise<boolean> {
    try {
      await this.store.putIfAbsent(`${LOG_DIR}/${commitFileName(version)}`, serializeActions(actions));
      return true;
    } catch (err) {
      if (err instanceof AlreadyExistsError) return false;
      throw err;
    }
  }

  /** The actions of a committed version. */
  async readCommit(version: number): Promise<Action[]> {
    const key = `${LOG_DIR}/${commitFileName(version)}`;
    try {
      return parseActions(await this.store.get(key), this.store.uriOf(key));
    } catch (err) {
      if (err instanceof NotFoundError) throw new CorruptLogError(`commit ${version} is missing: ${this.store.uriOf(key)}`);
      throw err;
    }
  }

  /** The actions of a version, or undefined when that version has not been committed. */
  async readCommitIfExists(version: number): Promise<Action[] | undefined> {
    const key = `${LOG_DIR}/${commitFileName(version)}`;
    try {
      return parseActions(await this.store.get(key), this.store.uriOf(key));
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** Log files with a version greater than `afterVersion` (all when -1), in version order. */
  async list(afterVersion = -1): Promise<LogFile[]> {
    const startAfter = afterVersion >= 0 ? `${LOG_DIR}/${String(afterVersion).padStart(20, '0')}.z` : undefined;
    const files: LogFile[] = [];
    for await (const meta of this.store.list(`${LOG_DIR}/`, startAfter ? { startAfter } : {})) {
      const name = meta.key.slice(LOG_DIR.length + 1);
      const commit = COMMIT_RE.exec(name);
      if (commit) {
        files.push({ version: Number(commit[1]), kind: 'commit', key: meta.key, lastModified: meta.lastModified });
        continue;
      }
      const cp = CHECKPOINT_RE.exec(name);
      if (cp) {
        const file: LogFile = { version: Number(cp[1]), kind: 'checkpoint', key: meta.key, lastModified: meta.lastModified };
        if (cp[2] && cp[3]) file.part = { index: Number(cp[2]), count: Number(cp[3]) };
        files.push(file);
      }
    }
    return files.filter((f) => f.version > afterVersion).sort((a, b) => a.version - b.version);
  }

  /** The `_last_checkpoint` hint, or undefined when there is none or it is unreadable. */
  async readLastCheckpoint(): Promise<LastCheckpoint | undefined> {
    try {
      const bytes = await this.store.get(`${LOG_DIR}/_last_checkpoint`);
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as LastCheckpoint;
      return typeof parsed.version === 'number' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Write the `_last_checkpoint` hint. */
  async writeLastCheckpoint(hint: LastCheckpoint): Promise<void> {
    await this.store.put(`${LOG_DIR}/_last_checkpoint`, new TextEncoder().encode(JSON.stringify(hint)));
  }

  /** Key of the single-part checkpoint of a version. */
  checkpointKey(version: number): string {
    return `${LOG_DIR}/${checkpointFileName(version)}`;
  }
}
