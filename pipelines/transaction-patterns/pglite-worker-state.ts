/**
 * The state store on an embedded PGlite (real PostgreSQL in WASM) running in a worker thread: creating
 * the database and running SQL take a second core, so Mechanism X and the parsing and folding of chunks
 * go on in the main thread meanwhile. The worker is a few lines of plain JavaScript (no TypeScript loader
 * is needed in the worker) that runs each request in order against one PGlite.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { StateStoreError } from './errors.js';
import { stateStoreError, toCsv, type BulkColumn, type StateParam, type StateSql, type StateStore } from './state-sql.js';

/** A request to the worker. */
interface Request {
  /** Matches the reply. */
  id: number;
  /** `open` the database, run a `query` or `exec`, or `close`. */
  op: 'open' | 'query' | 'exec' | 'close';
  /** SQL of `query` and `exec`. */
  sql?: string;
  /** Parameters of `query`. */
  params?: readonly StateParam[];
  /** CSV text served to `COPY ... FROM '/dev/blob'`. */
  blob?: string;
}

/** A reply of the worker. */
interface Reply {
  /** The request it answers. */
  id: number;
  /** Rows of a `query`. */
  rows?: Record<string, unknown>[];
  /** The failure, when the request failed. */
  error?: { message: string; code?: string };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglite);
let db;
let queue = Promise.resolve();
async function run(m) {
  if (m.op === 'open') db = workerData.dataDir ? await PGlite.create(workerData.dataDir) : await PGlite.create();
  else if (m.op === 'query') return (await db.query(m.sql, m.params || [], m.blob === undefined ? undefined : { blob: new Blob([m.blob]) })).rows;
  else if (m.op === 'exec') await db.exec(m.sql);
  else if (m.op === 'close') await db.close();
  return undefined;
}
parentPort.on('message', (m) => {
  queue = queue.then(() => run(m)).then(
    (rows) => parentPort.postMessage({ id: m.id, rows }),
    (e) => parentPort.postMessage({ id: m.id, error: { message: String((e && e.message) || e), code: e && typeof e.code === 'string' ? e.code : undefined } }),
  );
});
`;

class WorkerFailure extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A {@link StateStore} over PGlite in a worker thread. */
export class PgliteWorkerState implements StateStore {
  readonly kind = 'pglite' as const;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private lock: Promise<unknown> = Promise.resolve();
  private failed: Error | undefined;
  private readonly inner: StateSql;

  private constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!this.pending.size) this.worker.unref();
      p?.resolve(reply);
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => fail(new StateStoreError(`pglite worker failed: ${err.message}`, false, { cause: err })));
    worker.on('exit', (code) => fail(new StateStoreError(`pglite worker exited (${code})`, false)));
    this.inner = {
      query: <R extends Record<string, unknown>>(sql: string, params?: readonly StateParam[]) => this.call({ op: 'query', sql, params: params ?? [] }) as Promise<R[]>,
      exec: async (sql) => {
        await this.call({ op: 'exec', sql });
      },
      bulkInsert: (table, columns, values) => this.copy(table, columns, values),
    };
  }

  /** Start a worker and create or open the PGlite database in `dataDir` (in memory when undefined). */
  static async open(dataDir: string | undefined): Promise<PgliteWorkerState> {
    const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const state = new PgliteWorkerState(new Worker(WORKER_SOURCE, { eval: true, workerData: { pglite, dataDir } }));
    try {
      await state.call({ op: 'open' });
    } catch (err) {
      await state.worker.terminate();
      throw err;
    }
    return state;
  }

  query<R extends Record<string, unknown>>(sql: string, params: readonly StateParam[] = []): Promise<R[]> {
    return this.exclusive(() => this.inner.query<R>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.exclusive(() => this.inner.exec(sql));
  }

  bulkInsert(table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void> {
    return this.exclusive(() => this.copy(table, columns, values));
  }

  transaction<T>(fn: (sql: StateSql) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.inner.exec('BEGIN');
      try {
        const result = await fn(this.inner);
        await this.inner.exec('COMMIT');
        return result;
      } catch (err) {
        if (!this.failed) await this.inner.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    try {
      if (!this.failed) await this.exclusive(() => this.call({ op: 'close' }));
    } finally {
      await this.worker.terminate();
    }
  }

  /** Run `fn` when no other request or transaction is running (a transaction holds the lock to its end). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async copy(table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void> {
    if (!values[0]?.length) return;
    await this.call({ op: 'query', sql: `COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, params: [], blob: toCsv(values) });
  }

  private async call(request: Omit<Request, 'id'>): Promise<Record<string, unknown>[]> {
    if (this.failed) throw this.failed;
    const id = ++this.nextId;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...request, id } satisfies Request);
    });
    if (reply.error) stateStoreError(new WorkerFailure(reply.error.message, reply.error.code), this.kind);
    return reply.rows ?? [];
  }
}
