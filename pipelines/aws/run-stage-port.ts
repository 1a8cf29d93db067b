/**
 * The handler's view of running one stage of a staged pipeline (a Step Functions task): one injected
 * function, like run-pipeline-port.ts, so the handler does not depend on the stages' internals.
 * `lambda-entry.ts` wires the real one in (stage-runner-adapter.ts).
 */

/** What the handler asks for. */
export interface RunStageRequest {
  /** Pipeline name, e.g. `customer-purchases`. */
  pipeline: string;
  /** Stage name, e.g. `silver`. */
  stage: string;
  /** The run the stage belongs to (the state machine's execution name). */
  runId: string;
  /** Raw zone URI, e.g. `s3://raw-bucket/customer-purchases`: what the land stage reads. */
  raw: string;
  /** Warehouse URI, e.g. `s3://processed-bucket/warehouse`. */
  warehouse: string;
  /** Table format to write. */
  format: 'delta' | 'iceberg';
  /** Glue database of the pipeline's tables (`GLUE_DATABASE`). */
  database: string;
  /** Athena work group for the stage's queries (`ATHENA_WORKGROUP`). */
  workGroup: string;
  /** Athena query result location, an `s3://` URI (`ATHENA_OUTPUT`). */
  outputLocation: string;
  /** PostgreSQL URL for the serve stage (`DATABASE_URL`); absent when the stack was deployed without one. */
  databaseUrl?: string;
  /** customer-purchases rate table (`RATES`); the pipeline's default when absent. */
  rates?: Readonly<Record<string, number>>;
}

/** What one stage did: the JSON the state machine passes on to the next task. */
export interface RunStageResult {
  /** The pipeline. */
  pipeline: string;
  /** The run. */
  runId: string;
  /** The stage. */
  stage: string;
  /** True when the stage had already succeeded in this run and was not run again. */
  skipped: boolean;
  /** The stage's result (JSON). */
  result: unknown;
  /** The next stage; absent after the last. */
  next?: string;
}

/** Runs one stage; rejects with the stage's own error (the handler classifies it as transient or terminal). */
export type RunStage = (request: RunStageRequest) => Promise<RunStageResult>;
