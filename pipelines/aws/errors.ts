/**
 * Errors of the Lambda handler. Each says whether it is terminal or transient; every one is thrown
 * out of the handler, so Lambda's asynchronous retries and then the dead-letter queue apply to all.
 */
import { LakehouseError, type ErrorKind } from '../../etl/errors.js';

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
 * The runner reported a failed run. Transient unless the reason says it is terminal: the runner's
 * commits are ACID and its ledger records what was ingested, so running again is safe and may succeed
 * (a lost commit race, a throttled call). A staged run reports its failed stage's kind, so a missing
 * setting (terminal) is not retried in vain.
 */
export class PipelineRunFailedError extends LakehouseError {
  /** The pipeline that failed. */
  readonly pipeline: string;
  /** The runner's id of the failed run. */
  readonly runId: string;

  constructor(pipeline: string, runId: string, reason?: { code: string; message: string; kind?: ErrorKind }) {
    super('pipeline_run_failed', reason?.kind ?? 'transient', `pipeline ${pipeline} run ${runId} failed${reason ? `: ${reason.code}: ${reason.message}` : ''}`);
    this.pipeline = pipeline;
    this.runId = runId;
  }
}

/**
 * The `name` of the error a failed stage invocation throws when a retry may help. The Lambda runtime
 * reports a thrown error's `name` as its error type, and the state machine's Retry matches on it.
 */
export const TRANSIENT_STAGE_ERROR = 'TransientStageError';
/** The `name` of the error a failed stage invocation throws when retrying cannot help (the state machine's Catch alarms). */
export const TERMINAL_STAGE_ERROR = 'TerminalStageError';

/** What every stage invocation error carries. */
export interface StageFailure {
  /** The pipeline. */
  pipeline: string;
  /** The stage that failed. */
  stage: string;
  /** The run. */
  runId: string;
  /** The original error. */
  cause: unknown;
}

/** The message of a stage failure: which stage of which run, and the original code and message. */
function stageMessage(failure: StageFailure): string {
  const { cause } = failure;
  const reason = cause instanceof LakehouseError ? `${cause.code}: ${cause.message}` : cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return `stage ${failure.stage} of ${failure.pipeline} run ${failure.runId} failed: ${reason}`;
}

/** A stage invocation failed in a way that may pass (throttling, a lost commit race, a dropped connection): Step Functions retries it. */
export class TransientStageError extends LakehouseError {
  /** The stage that failed. */
  readonly stage: string;
  /** The run. */
  readonly runId: string;

  constructor(failure: StageFailure) {
    super('stage_transient', 'transient', stageMessage(failure), { cause: failure.cause });
    this.name = TRANSIENT_STAGE_ERROR;
    this.stage = failure.stage;
    this.runId = failure.runId;
  }
}

/** A stage invocation failed for good (bad data policy, missing setting, unknown stage): Step Functions alarms and stops. */
export class TerminalStageError extends LakehouseError {
  /** The stage that failed. */
  readonly stage: string;
  /** The run. */
  readonly runId: string;

  constructor(failure: StageFailure) {
    super('stage_terminal', 'terminal', stageMessage(failure), { cause: failure.cause });
    this.name = TERMINAL_STAGE_ERROR;
    this.stage = failure.stage;
    this.runId = failure.runId;
  }
}
