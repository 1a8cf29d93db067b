/**
 * The Lambda handler for EventBridge events: a schedule runs the function's pipeline over every new
 * raw file; an S3 Object Created event runs it for the object's dataset folder. Stateless: the
 * configuration is read per invocation and nothing is shared between invocations, so concurrent
 * invocations are safe (the runner's commits are ACID and its ledger makes re-runs idempotent).
 * Every failure is thrown, so Lambda's asynchronous retries and then the dead-letter queue apply.
 *
 * A stage event from the Step Functions state machine (`{ pipeline, stage, runId }`) runs that one
 * stage and returns its result, which the state machine passes on to the next stage's task. A failed
 * stage throws a `TransientStageError` (the state machine retries it) or a `TerminalStageError` (it
 * alarms and stops), by the kind of the stage's own error; errors that are not ours count as terminal.
 */
import { isTransient } from '../../etl/errors.js';
import { InvalidEventError, PipelineRunFailedError, TerminalStageError, TransientStageError } from './errors.js';
import { parseEvent } from './events.js';
import { loadLambdaConfig, type LambdaConfig } from './lambda-config.js';
import { matchRawKey } from './raw-key.js';
import type { RunPipeline, RunPipelineRequest, RunPipelineResult } from './run-pipeline-port.js';
import type { RunStage, RunStageResult } from './run-stage-port.js';

/** One structured log line. */
export type LogEntry = Record<string, unknown> & {
  /** Severity. */
  level: 'info' | 'warn' | 'error';
  /** What happened, as a short phrase. */
  msg: string;
};

/** What the handler needs from the outside. */
export interface HandlerDependencies {
  /** The pipeline runner. */
  runPipeline: RunPipeline;
  /** Runs one stage of a staged pipeline; stage events are refused (terminal) when absent. */
  runStage?: RunStage;
  /** Environment to read the configuration from; `process.env` when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Structured log sink; one JSON line on stdout per entry when absent. */
  log?: (entry: LogEntry) => void;
}

/** What one invocation did. */
export type HandlerResult =
  | {
      /** A run happened and succeeded. */
      outcome: 'succeeded';
      /** The pipeline run. */
      pipeline: string;
      /** The runner's run id. */
      runId: string;
      /** What started it. */
      trigger: 'schedule' | 's3';
      /** The dataset folder an S3-triggered run was limited to. */
      prefix?: string;
    }
  | ({
      /** One stage ran (or had already succeeded in the run) for the state machine. */
      outcome: 'stage-succeeded';
    } & RunStageResult)
  | {
      /** The event did not concern this pipeline; nothing ran. */
      outcome: 'ignored';
      /** Why. */
      reason: string;
    };

/** An EventBridge-invoked Lambda handler. */
export type EventHandler = (event: unknown) => Promise<HandlerResult>;

const stdoutLog = (entry: LogEntry): void => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};

/** The request for `config`'s pipeline, optionally limited to one dataset folder. */
function requestFor(config: LambdaConfig, trigger: 'schedule' | 's3', prefix?: string): RunPipelineRequest {
  return {
    pipeline: config.pipeline,
    raw: config.raw,
    warehouse: config.warehouse,
    format: config.format,
    catalog: 'glue',
    engine: 'athena',
    ...(prefix === undefined ? {} : { prefix }),
    trigger,
    database: config.database,
    workGroup: config.workGroup,
    outputLocation: config.athenaOutput,
    ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }),
    ...(config.rates === undefined ? {} : { rates: config.rates }),
  };
}

/** Stage results above this size (JSON bytes) are replaced by a note: Step Functions passes at most 256 KiB between states. */
export const MAX_STAGE_RESULT_BYTES = 64 * 1024;

/** `result`, or a note pointing at the stage state when it is too large to pass between states. */
function compactResult(result: unknown, pipeline: string, runId: string): unknown {
  const bytes = Buffer.byteLength(JSON.stringify(result ?? null), 'utf8');
  if (bytes <= MAX_STAGE_RESULT_BYTES) return result;
  return { truncated: true, bytes, recordedIn: `_lakehouse/stages/${pipeline}/${runId}.json` };
}

/** Run the stage a state machine task asks for; failures become Transient/TerminalStageError. */
async function handleStage(
  dependencies: HandlerDependencies,
  config: LambdaConfig,
  event: { pipeline: string; stage: string; runId: string },
  log: (entry: LogEntry) => void,
): Promise<HandlerResult> {
  if (event.pipeline !== config.pipeline) throw new InvalidEventError(`the stage event names pipeline ${event.pipeline}, but this function runs ${config.pipeline}`);
  if (!dependencies.runStage) throw new InvalidEventError(`this handler runs no stages (stage ${event.stage} of ${event.pipeline} asked for)`);
  const { pipeline, stage, runId } = event;
  log({ level: 'info', msg: 'stage starting', pipeline, stage, runId });
  let result: RunStageResult;
  try {
    result = await dependencies.runStage({
      pipeline,
      stage,
      runId,
      raw: config.raw,
      warehouse: config.warehouse,
      format: config.format,
      database: config.database,
      workGroup: config.workGroup,
      outputLocation: config.athenaOutput,
      ...(config.databaseUrl === undefined ? {} : { databaseUrl: config.databaseUrl }),
      ...(config.rates === undefined ? {} : { rates: config.rates }),
    });
  } catch (err) {
    const failure = { pipeline, stage, runId, cause: err };
    const error = isTransient(err) ? new TransientStageError(failure) : new TerminalStageError(failure);
    log({ level: 'error', msg: 'stage failed', pipeline, stage, runId, errorName: error.name, error: error.message });
    throw error;
  }
  log({ level: 'info', msg: result.skipped ? 'stage already done' : 'stage succeeded', pipeline, stage, runId });
  return { outcome: 'stage-succeeded', ...result, result: compactResult(result.result, pipeline, runId) };
}

/** Build the handler around an injected runner. */
export function createHandler(dependencies: HandlerDependencies): EventHandler {
  const log = dependencies.log ?? stdoutLog;
  return async (event: unknown): Promise<HandlerResult> => {
    const config = loadLambdaConfig(dependencies.env ?? process.env);
    const parsed = parseEvent(event);
    if (parsed.kind === 'stage') return handleStage(dependencies, config, parsed, log);
    let request: RunPipelineRequest;
    if (parsed.kind === 'schedule') {
      if (parsed.pipeline !== undefined && parsed.pipeline !== config.pipeline) {
        throw new InvalidEventError(`the schedule names pipeline ${parsed.pipeline}, but this function runs ${config.pipeline}`);
      }
      request = requestFor(config, 'schedule');
    } else {
      const match = matchRawKey(config.raw, config.datasets, parsed.bucket, parsed.key);
      if (match.kind === 'ignored') {
        log({ level: 'info', msg: 'event ignored', pipeline: config.pipeline, bucket: parsed.bucket, key: parsed.key, reason: match.reason });
        return { outcome: 'ignored', reason: match.reason };
      }
      request = requestFor(config, 's3', match.prefix);
    }
    log({ level: 'info', msg: 'run starting', pipeline: request.pipeline, trigger: request.trigger, prefix: request.prefix });
    let result: RunPipelineResult;
    try {
      result = await dependencies.runPipeline(request);
    } catch (err) {
      log({ level: 'error', msg: 'run threw', pipeline: request.pipeline, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    if (result.status !== 'succeeded') {
      log({ level: 'error', msg: 'run failed', pipeline: request.pipeline, runId: result.runId, error: result.error });
      throw new PipelineRunFailedError(request.pipeline, result.runId, result.error);
    }
    log({ level: 'info', msg: 'run succeeded', pipeline: request.pipeline, runId: result.runId });
    return {
      outcome: 'succeeded',
      pipeline: request.pipeline,
      runId: result.runId,
      trigger: request.trigger,
      ...(request.prefix === undefined ? {} : { prefix: request.prefix }),
    };
  };
}
