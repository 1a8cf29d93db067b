/**
 * Errors of the catalog and query layer. Like every project error they say whether they are terminal
 * or transient; storage and commit errors come from `etl/errors.ts` (`NotFoundError`,
 * `CommitConflictError`, `UsageError`).
 */
import { LakehouseError, type ErrorKind } from '../etl/errors.js';

/** An AWS service (Glue, Athena) refused a call for good: access denied, invalid input, a missing work group. */
export class ServiceError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('aws_service', 'terminal', message, options);
  }
}

/** An AWS call failed in a way that may pass (throttling, 5xx, a reset socket) even after the SDK's own retries. */
export class TransientServiceError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('aws_transient', 'transient', message, options);
  }
}

/** A query the engine ran and rejected or failed: a syntax error, a missing table, Athena's FAILED state. */
export class QueryFailedError extends LakehouseError {
  /** The engine's own explanation (Athena's `StateChangeReason`, DuckDB's error message). */
  readonly reason: string;
  /** The engine's id of the query, when it has one (Athena's `QueryExecutionId`). */
  readonly queryId: string | undefined;

  constructor(reason: string, options: { kind?: ErrorKind; queryId?: string; cause?: unknown } = {}) {
    super('query_failed', options.kind ?? 'terminal', `query failed${options.queryId ? ` (${options.queryId})` : ''}: ${reason}`, {
      cause: options.cause,
    });
    this.reason = reason;
    this.queryId = options.queryId;
  }
}

/** A query was cancelled: by the caller's AbortSignal, or by someone else (Athena's CANCELLED state). */
export class QueryCancelledError extends LakehouseError {
  /** Why, as far as the engine said. */
  readonly reason: string;
  /** The engine's id of the query, when it has one. */
  readonly queryId: string | undefined;

  constructor(reason: string, options: { queryId?: string; cause?: unknown } = {}) {
    super('query_cancelled', 'terminal', `query cancelled${options.queryId ? ` (${options.queryId})` : ''}: ${reason}`, {
      cause: options.cause,
    });
    this.reason = reason;
    this.queryId = options.queryId;
  }
}

/** A query did not finish within its time limit and was stopped. Transient: it may finish given more time or a quieter engine. */
export class QueryTimeoutError extends LakehouseError {
  /** The limit that passed, in ms. */
  readonly timeoutMs: number;
  /** The engine's id of the query, when it has one. */
  readonly queryId: string | undefined;

  constructor(timeoutMs: number, options: { queryId?: string; cause?: unknown } = {}) {
    super('query_timeout', 'transient', `query did not finish within ${timeoutMs} ms${options.queryId ? ` (${options.queryId})` : ''}`, {
      cause: options.cause,
    });
    this.timeoutMs = timeoutMs;
    this.queryId = options.queryId;
  }
}
