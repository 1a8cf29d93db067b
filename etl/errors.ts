/**
 * Typed errors. Every error says whether it is terminal (retrying cannot help) or transient
 * (the same call may succeed later); retry loops decide by that and nothing else.
 */

/** Whether retrying can help. */
export type ErrorKind = 'terminal' | 'transient';

/** Base class of every error the project throws on purpose. */
export class LakehouseError extends Error {
  /** Stable machine-readable code, e.g. `already_exists`. */
  readonly code: string;
  /** Whether a retry may succeed. */
  readonly kind: ErrorKind;

  constructor(code: string, kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
  }

  /** True when the same call may succeed if retried. */
  get transient(): boolean {
    return this.kind === 'transient';
  }
}

/** An object or table that does not exist. */
export class NotFoundError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', 'terminal', message, options);
  }
}

/** A create-only write found the key already present. */
export class AlreadyExistsError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('already_exists', 'terminal', message, options);
  }
}

/** A storage call failed in a way that may pass: throttling, 5xx, a conditional-write race, a reset socket. */
export class TransientStorageError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage_transient', 'transient', message, options);
  }
}

/** A storage call failed for good: access denied, bad bucket, bad request. */
export class StorageError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage', 'terminal', message, options);
  }
}

/** A caller asked for something invalid (bad URI, bad option). */
export class UsageError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', 'terminal', message, options);
  }
}

/** True when `err` is one of ours and says a retry may help. */
export function isTransient(err: unknown): boolean {
  return err instanceof LakehouseError && err.kind === 'transient';
}

/** A compare-and-swap lost to another writer: re-read, re-apply, retry. */
export class CommitConflictError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('commit_conflict', 'transient', message, options);
  }
}
