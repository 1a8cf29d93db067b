/**
 * Turns the handler's stage request (run-stage-port.ts) into `runStage` (pipelines/staged/run-stage.ts)
 * of the named staged pipeline, over the S3 warehouse, the Glue catalog and the Athena engine, with the
 * function's PostgreSQL URL for the serve stage. Also builds the settings a whole staged run uses
 * (runner-adapter.ts), so both paths run the stages alike.
 */
import { UsageError } from '../../etl/errors.js';
import type { LakehouseSettings } from '../runner/lakehouse-context.js';
import { runStage } from '../staged/run-stage.js';
import type { StagedDefinition, StagedOptions } from '../staged/staged-definition.js';
import type { StagedRunRequest } from '../staged/staged-pipeline.js';
import { requirePostgresForServing } from './postgres-guard.js';
import type { RunStage, RunStageRequest, RunStageResult } from './run-stage-port.js';

/** Where the stages run. */
export interface StagedTarget {
  /** Raw zone URI: what the land stage reads. */
  raw: string;
  /** Warehouse URI. */
  warehouse: string;
  /** Table format. */
  format: 'delta' | 'iceberg';
  /** Athena work group. */
  workGroup?: string;
  /** Athena result location. */
  outputLocation?: string;
  /** PostgreSQL URL of the serving stage. */
  databaseUrl?: string;
}

/** The pieces a stage run is assembled from; lambda-entry.ts passes the real ones. */
export interface StageRunnerParts {
  /** The stages of a pipeline by name (built with the function's rate table, if any); undefined for a pipeline without stages. */
  stagedOf: (name: string, options?: StagedOptions) => StagedDefinition | undefined;
  /**
   * Query engine of the gold stage: `athena` (the default, and the only one in the Lambda bundle).
   * Tests against moto pass `duckdb`, since moto runs no Athena SQL.
   */
  engine?: 'athena' | 'duckdb';
}

/** The staged request for `target`: Glue catalog, the engine, the raw zone as the landing source, PostgreSQL when configured. */
export function stagedRequestOf(target: StagedTarget, engine: 'athena' | 'duckdb' = 'athena'): StagedRunRequest {
  const settings: LakehouseSettings = {
    warehouse: target.warehouse,
    raw: target.raw,
    format: target.format,
    catalog: 'glue',
    engine,
    ...(target.workGroup === undefined ? {} : { workGroup: target.workGroup }),
    ...(target.outputLocation === undefined ? {} : { outputLocation: target.outputLocation }),
  };
  return { settings, ...(target.databaseUrl === undefined ? {} : { postgres: { url: target.databaseUrl } }) };
}

/** `staged` with its serving stages guarded by the PostgreSQL URL (see postgres-guard.ts). */
export function guardedStages(staged: StagedDefinition, databaseUrl: string | undefined): StagedDefinition {
  return { ...staged, stages: requirePostgresForServing(staged.name, staged.stages, databaseUrl) };
}

/** A {@link RunStage} that runs one stage of the named staged pipeline with `runStage`. */
export function stageRunnerFor(parts: StageRunnerParts): RunStage {
  return async (request: RunStageRequest): Promise<RunStageResult> => {
    const staged = parts.stagedOf(request.pipeline, request.rates ? { rates: request.rates } : {});
    if (!staged) throw new UsageError(`pipeline ${request.pipeline} has no stages: it runs in one invocation, not one stage at a time`);
    return runStage(guardedStages(staged, request.databaseUrl), request.stage, { ...stagedRequestOf(request, parts.engine), runId: request.runId });
  };
}
