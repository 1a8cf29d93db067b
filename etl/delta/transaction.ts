/**
 * The optimistic commit loop: try the next version; when another writer took it, check the winners
 * for conflicts, and try again after them with jittered backoff.
 */
import { systemClock, type Clock } from '../clock.js';
import type { Action, CommitInfoAction } from './actions.js';
import { checkWinner, type ReadScope } from './conflicts.js';
import { CommitRetriesExhaustedError, TableExistsError } from './errors.js';
import type { LogStore } from './log-store.js';

/** Library name written in commitInfo.engineInfo. */
export const ENGINE_INFO = 'lakehouse-etl';

/** A commit ready to be attempted. */
export interface CommitRequest {
  /** Version the operation read (-1 when creating the table). */
  readVersion: number;
  /** The data and metadata actions (commitInfo is added here). */
  actions: Action[];
  /** commitInfo.operation. */
  operation: string;
  /** commitInfo.operationParameters. */
  operationParameters?: Record<string, unknown>;
  /** commitInfo.operationMetrics. */
  operationMetrics?: Record<string, unknown>;
  /** Extra commitInfo fields (e.g. runId). */
  commitInfo?: Record<string, unknown>;
  /** What the operation read and removed. */
  scope: ReadScope;
}

/** Options of the commit loop. */
export interface CommitOptions {
  /** Attempts before giving up (default 100). */
  maxAttempts?: number;
  /** Clock for commit timestamps. */
  clock?: Clock;
  /** Sleep function (tests replace it). */
  sleep?: (ms: number) => Promise<void>;
}

/** Outcome of the commit loop. */
export interface CommitResult {
  /** The committed version, or the version at which an identical txn was found. */
  version: number;
  /** True when nothing was committed because the txn version was already committed. */
  skipped: boolean;
  /** Attempts made. */
  attempts: number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Commit `request` at the first version after `readVersion` that it can be ordered at. */
export async function commit(log: LogStore, request: CommitRequest, options: CommitOptions = {}): Promise<CommitResult> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 100;
  let version = request.readVersion + 1;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const info: CommitInfoAction = {
      timestamp: clock.now(),
      operation: request.operation,
      operationParameters: request.operationParameters ?? {},
      ...(request.operationMetrics ? { operationMetrics: request.operationMetrics } : {}),
      ...(request.readVersion >= 0 ? { readVersion: request.readVersion } : {}),
      isBlindAppend: request.scope.blindAppend,
      engineInfo: ENGINE_INFO,
      ...request.commitInfo,
    };
    if (await log.tryCommit(version, [{ commitInfo: info }, ...request.actions])) {
      return { version, skipped: false, attempts: attempt };
    }
    if (request.readVersion < 0) throw new TableExistsError(log.store.uri);
    // Another writer won `version`: examine every winner, in order, up to the current end of the log.
    for (;;) {
      const winner = await log.readCommitIfExists(version);
      if (!winner) break;
      if (checkWinner(request.scope, winner, version) === 'already-committed') {
        return { version, skipped: true, attempts: attempt };
      }
      version++;
    }
    const backoff = Math.min(1000, 5 * 2 ** Math.min(attempt, 8));
    await sleep(Math.random() * backoff);
  }
  throw new CommitRetriesExhaustedError(maxAttempts, log.store.uri);
}
