/**
 * Opens the PostgreSQL database Mechanism Y keeps its cumulative state in: embedded (PGlite, real
 * Postgres in WASM, in a worker thread, in a data folder or in memory) or a real server by URL (`pg`).
 */
import { mkdir } from 'node:fs/promises';
import { PgliteWorkerState } from './pglite-worker-state.js';
import { PostgresState } from './postgres-state.js';
import { stateStoreError, type StateStore } from './state-sql.js';

export type { BulkColumn, StateParam, StateSql, StateStore } from './state-sql.js';

/**
 * Open the state store: a `postgres://` / `postgresql://` URL connects to that server; anything else is a
 * PGlite data folder (created when absent); `undefined` is an in-memory PGlite (lost on exit).
 */
export async function openStateStore(target: string | undefined): Promise<StateStore> {
  if (target && /^postgres(ql)?:\/\//i.test(target)) return PostgresState.connect(target);
  try {
    if (target) await mkdir(target, { recursive: true });
    return await PgliteWorkerState.open(target);
  } catch (err) {
    return stateStoreError(err, 'pglite');
  }
}
