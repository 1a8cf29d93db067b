/**
 * Turns the handler's request (URIs and names, see run-pipeline-port.ts) into a run of the real
 * runner (pipelines/runner/run-pipeline.ts): the pipeline's definition, the raw and warehouse stores,
 * the Glue catalog and the Athena engine, and for an S3-triggered run the one dataset. Every part is
 * injected, so this file is tested without AWS and the handler never sees the runner's types.
 *
 * A staged pipeline (landing, silver, gold, serving; see `stagedOf`) runs all its stages with
 * `runStaged` instead, in this one invocation: customer-transactions is scheduled this way. Its stage
 * state resumes a failed run at the failed stage on the next invocation (Lambda's own retry, or the next
 * schedule), and an S3-triggered run lands every new file of the raw zone, not just the one that arrived.
 */
import type { Catalog } from '../../catalog/catalog.js';
import type { AthenaEngineOptions } from '../../catalog/athena/athena-engine.js';
import type { QueryEngine } from '../../catalog/query/query-engine.js';
import { UsageError } from '../../etl/errors.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { PipelineDefinition } from '../runner/pipeline-definition.js';
import type { RunOptions } from '../runner/run-pipeline.js';
import type { RunSummary } from '../runner/run-summary.js';
import { runStaged } from '../staged/staged-pipeline.js';
import type { StagedDefinition, StagedOptions } from '../staged/staged-definition.js';
import type { RunPipeline, RunPipelineRequest, RunPipelineResult } from './run-pipeline-port.js';
import { guardedStages, stagedRequestOf } from './stage-runner-adapter.js';

/** The pieces a run is assembled from; lambda-entry.ts passes the real ones. */
export interface RunnerParts {
  /** The runner. */
  run: (options: RunOptions) => Promise<RunSummary>;
  /** The definition of a pipeline by name; throws for an unknown one. */
  definitionOf: (name: string) => PipelineDefinition;
  /** A store for a raw or warehouse URI. */
  openStore: (uri: string) => ObjectStore;
  /** The Glue catalog. */
  openCatalog: () => Catalog;
  /** An Athena engine with these options. */
  openEngine: (options: AthenaEngineOptions) => QueryEngine;
  /** The stages of a staged pipeline by name (undefined for a plain runner pipeline); every pipeline is plain when absent. */
  stagedOf?: (name: string, options?: StagedOptions) => StagedDefinition | undefined;
}

/** Run every stage of `staged` in this invocation. */
async function runAllStages(staged: StagedDefinition, request: RunPipelineRequest): Promise<RunPipelineResult> {
  const guarded = guardedStages(staged, request.databaseUrl);
  const summary = await runStaged(guarded.name, guarded.stages, guarded.summaryStage, stagedRequestOf(request));
  if (!summary.error) return { status: summary.status, runId: summary.runId };
  const kind = summary.stages.find((s) => s.status === 'failed')?.error?.kind;
  return { status: summary.status, runId: summary.runId, error: { ...summary.error, ...(kind === 'terminal' || kind === 'transient' ? { kind } : {}) } };
}

/** The dataset an S3-triggered run is limited to: `orders/` is `orders`. */
function datasetsOf(request: RunPipelineRequest): string[] | undefined {
  if (request.prefix === undefined) return undefined;
  const dataset = request.prefix.replace(/\/+$/, '');
  if (dataset === '' || dataset.includes('/')) throw new UsageError(`run prefix ${JSON.stringify(request.prefix)} is not one dataset folder`);
  return [dataset];
}

/** A {@link RunPipeline} that runs the real runner with parts from `parts`. */
export function runnerFor(parts: RunnerParts): RunPipeline {
  return async (request: RunPipelineRequest): Promise<RunPipelineResult> => {
    const pipeline = parts.definitionOf(request.pipeline);
    const staged = parts.stagedOf?.(request.pipeline, request.rates ? { rates: request.rates } : {});
    if (request.database !== undefined && request.database !== pipeline.database) {
      throw new UsageError(`GLUE_DATABASE is ${request.database}, but pipeline ${pipeline.name} writes to database ${pipeline.database}`);
    }
    const datasets = datasetsOf(request);
    if (datasets && !pipeline.datasets.some((d) => d.name === datasets[0])) {
      throw new UsageError(`pipeline ${pipeline.name} has no dataset ${datasets[0]}`);
    }
    if (staged) return runAllStages(staged, request);
    const engine = parts.openEngine({
      ...(request.workGroup === undefined ? {} : { workGroup: request.workGroup }),
      ...(request.outputLocation === undefined ? {} : { outputLocation: request.outputLocation }),
      database: pipeline.database,
    });
    try {
      const summary = await parts.run({
        pipeline,
        raw: parts.openStore(request.raw),
        warehouse: parts.openStore(request.warehouse),
        format: request.format,
        catalog: parts.openCatalog(),
        engine,
        ...(datasets ? { datasets } : {}),
      });
      return { status: summary.status, runId: summary.runId, ...(summary.error ? { error: summary.error } : {}) };
    } finally {
      await engine.close();
    }
  };
}
