/** Typed errors of the PostgreSQL sink: transient for lost connections and serialization failures, terminal otherwise. */
import { LakehouseError, type ErrorKind } from '../../etl/errors.js';

/** SQLSTATE classes and codes a retry may fix: connection exceptions, serialization failures, deadlocks, shutdown. */
const TRANSIENT_STATES = /^(08|53|57P0[123]|40001|40P01)/;
const TRANSIENT_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** A PostgreSQL call failed; `sqlState` is the server's SQLSTATE when it sent one. */
export class PostgresError extends LakehouseError {
  /** The SQLSTATE (e.g. `23505`), when known. */
  readonly sqlState: string | undefined;

  constructor(message: string, kind: ErrorKind, sqlState: string | undefined, options?: { cause?: unknown }) {
    super('postgres', kind, message, options);
    this.sqlState = sqlState;
  }
}

/** Wrap a driver error (pg or PGlite) as a PostgresError that says whether a retry may help. */
export function toPostgresError(err: unknown, doing: string): PostgresError {
  if (err instanceof PostgresError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const transient = code !== undefined && (TRANSIENT_STATES.test(code) || TRANSIENT_NODE.has(code));
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return new PostgresError(`${doing}: ${message}${code ? ` (${code})` : ''}`, transient ? 'transient' : 'terminal', code, { cause: err });
}
