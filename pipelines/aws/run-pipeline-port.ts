/**
 * The handler's view of the pipeline runner: one injected function, so the handler and its tests do
 * not depend on the runner's internals. `lambda-entry.ts` wires the real runner in.
 */

/** What the handler asks the runner to do. */
export interface RunPipelineRequest {
  /** Pipeline name, e.g. `ecommerce`. */
  pipeline: string;
  /** Raw zone URI, e.g. `s3://raw-bucket/ecommerce`. */
  raw: string;
  /** Warehouse URI, e.g. `s3://processed-bucket/warehouse`. */
  warehouse: string;
  /** Table format to write. */
  format: 'delta' | 'iceberg';
  /** Catalog the tables are registered in; always Glue on AWS. */
  catalog: 'glue';
  /** Query engine for the presence checks and reports; always Athena on AWS (no DuckDB in the bundle). */
  engine: 'athena';
  /**
   * Only for S3-triggered runs: the dataset folder relative to `raw`, ending in `/` (`orders/`).
   * Absent on scheduled runs, which read every dataset.
   */
  prefix?: string;
  /** What started the run. */
  trigger: 'schedule' | 's3';
  /**
   * Glue database of the pipeline's tables (the function's `GLUE_DATABASE`). An addition to the
   * agreed request: a runner typed without it still accepts the request and may read the variable.
   */
  database?: string;
  /** Athena work group for the run's queries (`ATHENA_WORKGROUP`); an addition like `database`. */
  workGroup?: string;
  /** Athena query result location, an `s3://` URI (`ATHENA_OUTPUT`); an addition like `database`. */
  outputLocation?: string;
  /**
   * PostgreSQL URL for a staged pipeline's serve stage (the function's `DATABASE_URL`); absent when the
   * stack was deployed without `databaseUrlSecret`. An addition like `database`.
   */
  databaseUrl?: string;
  /** customer-purchases rate table (`RATES`); the pipeline's default when absent. An addition like `database`. */
  rates?: Readonly<Record<string, number>>;
}

/** What the runner reports back. */
export interface RunPipelineResult {
  /** Whether the run committed everything it meant to. */
  status: 'succeeded' | 'failed';
  /** The runner's id of this run. */
  runId: string;
  /** Why a failed run failed, when the runner says (an addition to the agreed result, like `database`). */
  error?: {
    /** Stable machine-readable code. */
    code: string;
    /** Human-readable reason. */
    message: string;
    /** Whether running again may help; transient when absent. */
    kind?: 'terminal' | 'transient';
  };
}

/** Runs one pipeline; resolves with its outcome, or rejects when the runner itself throws. */
export type RunPipeline = (request: RunPipelineRequest) => Promise<RunPipelineResult>;
