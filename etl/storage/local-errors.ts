/** Turns Node `fs` errors of a local store into the project's typed errors. */
import { LakehouseError, NotFoundError, StorageError, TransientStorageError } from '../errors.js';

/** `fs` codes meaning "no such object" (a missing file, a file in the way of a folder, a folder). */
const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
/** `fs` codes that may pass on a retry: resource exhaustion and busy files. */
const TRANSIENT_CODES = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR', 'ETIMEDOUT', 'ENOMEM']);

/** The `code` of a Node system error (`ENOENT`, ...), or `undefined` for anything else. */
export function fsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `err` is a Node system error (has both a string `code` and a `syscall`). */
export function isFsError(err: unknown): boolean {
  return fsCode(err) !== undefined && typeof (err as { syscall?: unknown }).syscall === 'string';
}

/**
 * Map an `fs` error of `action` on `uri` to a typed error: missing objects become `NotFoundError`
 * when `notFound` is set, exhaustion and busy files `TransientStorageError`, the rest `StorageError`.
 * Errors that are already typed pass through unchanged.
 */
export function mapFsError(err: unknown, action: string, uri: string, notFound = true): LakehouseError {
  if (err instanceof LakehouseError) return err;
  const code = fsCode(err) ?? 'unknown';
  const detail = err instanceof Error ? err.message : String(err);
  const message = `${action} ${uri} failed (${code}): ${detail}`;
  if (notFound && NOT_FOUND_CODES.has(code)) return new NotFoundError(`${action} ${uri}: no such object`, { cause: err });
  if (TRANSIENT_CODES.has(code)) return new TransientStorageError(message, { cause: err });
  return new StorageError(message, { cause: err });
}
