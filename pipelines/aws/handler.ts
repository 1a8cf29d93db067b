/**
 * The Lambda handler for EventBridge events: a schedule runs the function's pipeline over every new
 * raw file; an S3 Object Created event runs it for the object's dataset folder. Stateless: the
 * configuration is read per invocation and nothing is shared between invocations, so concurrent
 * invocations are safe (the runner's commits are ACID and its ledger makes re-runs idempotent).
 * Every failure is thrown, so Lambda's asynchronous retries and then the dead-letter queue apply.
 */
import { InvalidEventError, PipelineRunFailedError } from './errors.js';
import { parseEvent } from './events.js';
import { loadLambdaConfig, type LambdaConfig } from './lambda-config.js';
import { matchRawKey } from './raw-key.js';
import type { RunPipeline, RunPipelineRequest, RunPipelineResult } from './run-pipeline-port.js';

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
  };
}

/** Build the handler around an injected runner. */
export function createHandler(dependencies: HandlerDependencies): EventHandler {
  const log = dependencies.log ?? stdoutLog;
  return async (event: unknown): Promise<HandlerResult> => {
    const config = loadLambdaConfig(dependencies.env ?? process.env);
    const parsed = parseEvent(event);
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
