/** Turns AWS SDK errors of Glue and Athena calls into the project's typed errors. */
import { LakehouseError, NotFoundError } from '../etl/errors.js';
import { s3ErrorInfo } from '../etl/storage/s3-errors.js';
import { ServiceError, TransientServiceError } from './errors.js';

/** Error codes meaning "that resource does not exist". */
const NOT_FOUND = new Set(['EntityNotFoundException', 'ResourceNotFoundException']);
/** Error codes the SDK counts as throttling or transient (its own lists), plus the services' internal errors. */
const TRANSIENT = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'ThrottledException',
  'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException', 'LimitExceededException',
  'PriorRequestNotComplete', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalServiceException',
  'InternalServerException', 'InternalFailure', 'ServiceUnavailable', 'OperationTimeoutException',
  'FederationSourceRetryableException', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT',
  'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);

/** The error code of an SDK error (`ThrottlingException`, `EntityNotFoundException`, ...). */
export function awsErrorName(err: unknown): string {
  return s3ErrorInfo(err).name;
}

/** True when an SDK error (or a typed error) says a retry may help. */
export function isTransientAwsError(err: unknown): boolean {
  if (err instanceof LakehouseError) return err.transient;
  const { name, status } = s3ErrorInfo(err);
  return TRANSIENT.has(name) || status === 429 || (status !== undefined && status >= 500 && status !== 501) ||
    (err as { $retryable?: unknown } | null)?.$retryable !== undefined;
}

/**
 * Map an SDK error of `service` `action` (`Glue GetTable ecommerce.orders`): a missing entity
 * becomes `NotFoundError`; throttling, 5xx and network failures (left after the SDK's own retries)
 * `TransientServiceError`; anything else `ServiceError`. Typed errors pass through.
 */
export function mapAwsError(err: unknown, action: string): LakehouseError {
  if (err instanceof LakehouseError) return err;
  const { name, status, attempts } = s3ErrorInfo(err);
  const detail = err instanceof Error && err.message && err.message !== name ? `: ${err.message}` : '';
  const tries = attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';
  const message = `${action} failed${tries}: ${name}${status ? ` (HTTP ${status})` : ''}${detail}`;
  if (NOT_FOUND.has(name)) return new NotFoundError(message, { cause: err });
  if (isTransientAwsError(err)) return new TransientServiceError(message, { cause: err });
  return new ServiceError(message, { cause: err });
}
