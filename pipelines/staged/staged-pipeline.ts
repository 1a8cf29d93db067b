/**
 * Pipelines with stages beyond the runner's validate-and-commit (landing, gold tables, serving): the
 * stages run in order against durable stage state, and a run after a failed one resumes at the failed
 * stage (see stage-state.ts). The summary is the runner's (`datasets` from the stage that ran it) plus
 * the stage records.
 */
import { systemClock, type Clock } from '../../etl/clock.js';
import { LakehouseError, UsageError, type ErrorKind } from '../../etl/errors.js';
import type { PostgresSettings } from '../postgres/open-postgres.js';
import { openContext, type LakehouseContext, type LakehouseSettings } from '../runner/lakehouse-context.js';
import { newRunId, type RunEvents } from '../runner/run-pipeline.js';
import type { RunSummary } from '../runner/run-summary.js';
import { readStageState, writeStageState, type StageRecord } from './stage-state.js';

/** What `lakehouse run` hands a staged pipeline. */
export interface StagedRunRequest {
  /** Warehouse, raw zone, format, catalog, engine. */
  settings: LakehouseSettings;
  /** `--source`: a file, folder or S3 URI of input files (else `settings.raw`). */
  source?: string;
  /** PostgreSQL for the serving table (`--postgres`, `--database`; PGlite by default). */
  postgres?: PostgresSettings;
  /** `--table`: the serving table name (the pipeline's default otherwise). */
  table?: string;
  /** `--rates` (or the config's `rates`): AUD per unit of each currency, for customer-purchases (its default table otherwise). */
  rates?: Readonly<Record<string, number>>;
  /** Progress events. */
  events?: RunEvents;
  /** Clock (tests). */
  clock?: Clock;
}

/** What a stage sees. */
export interface StageContext {
  /** The request. */
  request: StagedRunRequest;
  /** Stores, catalog, engine. */
  lakehouse: LakehouseContext;
  /** The run id (kept when resuming). */
  runId: string;
  /** When this attempt started. */
  started: Date;
  /** Results of the stages completed so far (also those of the resumed run). */
  results: Map<string, unknown>;
}

/** One stage. */
export interface Stage {
  /** Stage name (`land`, `silver`, `gold`, `serve`). */
  name: string;
  /** Do the stage's work; the JSON result is recorded. Must be idempotent. */
  run(context: StageContext): Promise<unknown>;
}

/** The runner's summary plus the stage records. */
export interface StagedRunSummary extends RunSummary {
  /** Every stage of the run (resumed stages keep their earlier records). */
  stages: StageRecord[];
  /** True when this run resumed a failed one. */
  resumed: boolean;
}

/** A stage failed for a reason that is not already a LakehouseError (e.g. the runner's failed summary). */
export class StageFailedError extends LakehouseError {
  constructor(code: string, kind: ErrorKind, message: string) {
    super(code, kind, message);
  }
}

const errorOf = (err: unknown) =>
  err instanceof LakehouseError ? { code: err.code, kind: err.kind, message: err.message } : { code: 'internal', message: (err as Error)?.message ?? String(err) };

/** Run `stages` of pipeline `name`; `summaryStage` names the stage whose result is the runner's RunSummary. Never throws for a failed stage; throws UsageError for bad usage (exit 2). */
export async function runStaged(name: string, stages: readonly Stage[], summaryStage: string, request: StagedRunRequest): Promise<StagedRunSummary> {
  const clock = request.clock ?? systemClock;
  const started = new Date(clock.now());
  const lakehouse = openContext(request.settings);
  const previous = await readStageState(lakehouse.warehouse, name);
  const resume = previous?.stages.some((s) => s.status === 'failed') ? previous : undefined;
  const runId = resume?.runId ?? newRunId(started);
  const records: StageRecord[] = resume ? resume.stages.filter((s) => s.status === 'succeeded') : [];
  const results = new Map(records.map((r) => [r.name, r.result]));
  const context: StageContext = { request, lakehouse, runId, started, results };
  let failure: StageRecord['error'];
  try {
    for (const stage of stages) {
      if (results.has(stage.name)) {
        request.events?.step?.('skip', stage.name, { resumed: runId });
        continue;
      }
      request.events?.step?.('stage', stage.name);
      try {
        const result = await stage.run(context);
        results.set(stage.name, result);
        records.push({ name: stage.name, status: 'succeeded', result });
      } catch (err) {
        if (err instanceof UsageError) throw err; // bad usage is not a failed stage: nothing to resume
        failure = errorOf(err);
        records.push({ name: stage.name, status: 'failed', error: failure });
        break;
      } finally {
        await writeStageState(lakehouse.warehouse, name, { runId, stages: records });
      }
    }
  } finally {
    await lakehouse.close();
  }
  const inner = results.get(summaryStage) as RunSummary | undefined;
  return {
    pipeline: name,
    runId,
    status: failure ? 'failed' : 'succeeded',
    datasets: inner?.datasets ?? [],
    ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
    startedAt: started.toISOString(),
    elapsedMs: clock.now() - started.getTime(),
    archived: inner?.archived ?? 0,
    stages: records,
    resumed: resume !== undefined,
  };
}
