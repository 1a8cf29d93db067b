/**
 * Errors of the Lambda handler. Each says whether it is terminal or transient; every one is thrown
 * out of the handler, so Lambda's asynchronous retries and then the dead-letter queue apply to all.
 */
import { LakehouseError } from '../../etl/errors.js';

/** The event is not one the handler understands (wrong shape, unsupported type, unknown pipeline). */
export class InvalidEventError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_event', 'terminal', message, options);
  }
}

/** An environment variable of the function is missing or invalid; the message names it. */
export class LambdaConfigError extends LakehouseError {
  /** The environment variable at fault, e.g. `RAW_URI`. */
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super('lambda_config', 'terminal', `environment variable ${variable}: ${message}`, options);
    this.variable = variable;
  }
}

/**
 * The runner reported a failed run. Transient: the runner's commits are ACID and its ledger records
 * what was ingested, so running again is safe and may succeed (a lost commit race, a throttled call).
 */
export class PipelineRunFailedError extends LakehouseError {
  /** The pipeline that failed. */
  readonly pipeline: string;
  /** The runner's id of the failed run. */
  readonly runId: string;

  constructor(pipeline: string, runId: string, reason?: { code: string; message: string }) {
    super('pipeline_run_failed', 'transient', `pipeline ${pipeline} run ${runId} failed${reason ? `: ${reason.code}: ${reason.message}` : ''}`);
    this.pipeline = pipeline;
    this.runId = runId;
  }
}
