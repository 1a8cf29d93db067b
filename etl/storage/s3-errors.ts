/** Turns AWS SDK errors of an S3 store into the project's typed errors. */
import { LakehouseError, NotFoundError, StorageError, TransientStorageError } from '../errors.js';

/** The parts of an SDK error the mapping looks at. */
export interface S3ErrorInfo {
  /** Error code (`NoSuchKey`, `SlowDown`, ...), or the Node error code (`ECONNRESET`) for network failures. */
  name: string;
  /** HTTP status, when the service answered. */
  status: number | undefined;
  /** Attempts the SDK made (its own retries included), when known. */
  attempts: number | undefined;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
const THROTTLING = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException',
  'RequestThrottled', 'RequestThrottledException', 'RequestLimitExceeded', 'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException', 'PriorRequestNotComplete', 'EC2ThrottledException',
]);
const TRANSIENT = new Set([
  'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
  'ConditionalRequestConflict', 'OperationAborted',
]);
/** Node socket errors worth retrying (a DNS name that does not exist, `ENOTFOUND`, is not one). */
const NETWORK = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** Read the code, HTTP status and attempt count of an SDK (or Node network) error. */
export function s3ErrorInfo(err: unknown): S3ErrorInfo {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number; attempts?: number } };
  const nodeCode = typeof e.code === 'string' ? e.code : undefined;
  const name = nodeCode && NETWORK.has(nodeCode) ? nodeCode : String(e.Code ?? e.name ?? nodeCode ?? 'Error');
  return { name, status: e.$metadata?.httpStatusCode, attempts: e.$metadata?.attempts };
}

/** True when `err` (or an error in its `cause` chain) is a reset or refused socket, a timeout, or the like. */
function isNetworkError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK.has(code)) return true;
    if (e instanceof Error && /socket hang up/i.test(e.message)) return true;
  }
  return false;
}

/**
 * Map an SDK error of `action` on `uri`: a missing key becomes `NotFoundError`; throttling, 5xx,
 * timeouts, conditional-write conflicts and network resets `TransientStorageError`; anything else
 * (access denied, a missing bucket, a bad request, 501 Not Implemented) `StorageError`.
 * Typed errors pass through.
 */
export function mapS3Error(err: unknown, action: string, uri: string): LakehouseError {
  if (err instanceof LakehouseError) return err;
  const { name, status } = s3ErrorInfo(err);
  const detail = err instanceof Error && err.message && err.message !== name ? `: ${err.message}` : '';
  const message = `S3 ${action} ${uri} failed: ${name}${status ? ` (HTTP ${status})` : ''}${detail}`;
  if (NOT_FOUND.has(name) || (status === 404 && name !== 'NoSuchBucket')) {
    return new NotFoundError(`S3 ${action} ${uri}: no such object`, { cause: err });
  }
  const transient =
    THROTTLING.has(name) || TRANSIENT.has(name) || status === 429 || (status !== undefined && status >= 500 && status !== 501) ||
    isNetworkError(err) || (err as { $retryable?: unknown } | null)?.$retryable !== undefined;
  if (transient) return new TransientStorageError(message, { cause: err });
  return new StorageError(message, { cause: err });
}
