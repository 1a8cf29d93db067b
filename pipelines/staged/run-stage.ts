/**
 * Run ONE stage of a staged pipeline, for an orchestrator outside the process (the Step Functions state
 * machine of the CDK stack calls the Lambda once per stage with the same run id). The run's stage state
 * (`_lakehouse/stages/<pipeline>/<runId>.json`, see stage-state.ts) is read first and written after:
 * - a stage that already succeeded in the run is not run again; its recorded result is returned
 *   (`skipped: true`), so a retried or redriven task is idempotent;
 * - a stage runs only after every stage before it succeeded in the same run, and sees their results;
 * - a failed attempt is recorded with its error and the error is thrown unchanged, so the caller can
 *   decide by its kind (transient: retry; terminal: give up).
 * Every stage is idempotent on its own too (landing markers, the ingest ledger, batch keys, upserts), so
 * a crash between a stage's work and its record only repeats work that changes nothing.
 */
import { systemClock } from '../../etl/clock.js';
import { LakehouseError, UsageError } from '../../etl/errors.js';
import { openContext } from '../runner/lakehouse-context.js';
import { StageOrderError, UnknownStageError } from './stage-errors.js';
import { readRunStageState, writeRunStageState, type StageRecord } from './stage-state.js';
import type { StagedDefinition } from './staged-definition.js';
import type { StageContext, StagedRunRequest } from './staged-pipeline.js';

/** A run id an orchestrator may pass: it names a file, so letters, digits, `-` and `_` (a Step Functions execution name fits). */
export const STAGE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

/** What {@link runStage} needs: the usual staged request plus the run the stage belongs to. */
export interface StageRunRequest extends StagedRunRequest {
  /** The run id shared by every stage of one run (the state machine passes its execution name). */
  runId: string;
}

/** What one stage did. */
export interface StageRunResult {
  /** The pipeline. */
  pipeline: string;
  /** The run. */
  runId: string;
  /** The stage. */
  stage: string;
  /** True when the stage had already succeeded in this run, so nothing ran and `result` is the recorded one. */
  skipped: boolean;
  /** The stage's JSON result. */
  result: unknown;
  /** The stage that comes next; absent after the last one. */
  next?: string;
}

const errorOf = (err: unknown): NonNullable<StageRecord['error']> =>
  err instanceof LakehouseError ? { code: err.code, kind: err.kind, message: err.message } : { code: 'internal', message: err instanceof Error ? err.message : String(err) };

/** Run stage `stageName` of `pipeline` in run `request.runId`; throws the stage's error when it fails. */
export async function runStage(pipeline: StagedDefinition, stageName: string, request: StageRunRequest): Promise<StageRunResult> {
  const names = pipeline.stages.map((s) => s.name);
  const index = names.indexOf(stageName);
  if (index < 0) throw new UnknownStageError(pipeline.name, stageName, names);
  const { runId } = request;
  if (!STAGE_RUN_ID.test(runId)) throw new UsageError(`run id ${JSON.stringify(runId)}: 1 to 80 letters, digits, - and _, starting with a letter or digit`);
  const stage = pipeline.stages[index]!;
  const next = names[index + 1];
  const base = { pipeline: pipeline.name, runId, stage: stageName, ...(next === undefined ? {} : { next }) };
  const clock = request.clock ?? systemClock;
  const started = new Date(clock.now());
  const lakehouse = openContext(request.settings);
  try {
    const state = await readRunStageState(lakehouse.warehouse, pipeline.name, runId);
    const succeeded = new Map((state?.stages ?? []).filter((r) => r.status === 'succeeded').map((r) => [r.name, r]));
    const done = succeeded.get(stageName);
    if (done) {
      request.events?.step?.('skip', stageName, { resumed: runId });
      return { ...base, skipped: true, result: done.result ?? null };
    }
    const missing = names.slice(0, index).filter((name) => !succeeded.has(name));
    if (missing.length) throw new StageOrderError(pipeline.name, runId, stageName, missing);
    const results = new Map(names.slice(0, index).map((name) => [name, succeeded.get(name)!.result]));
    const context: StageContext = { request, lakehouse, runId, started, results };
    request.events?.step?.('stage', stageName);
    let record: StageRecord;
    let result: unknown;
    let failure: { error: unknown } | undefined;
    try {
      result = (await stage.run(context)) ?? null;
      record = { name: stageName, status: 'succeeded', result };
    } catch (err) {
      failure = { error: err };
      record = { name: stageName, status: 'failed', error: errorOf(err) };
    }
    // Records in stage order: the earlier stages' successes, then this attempt.
    const stages = [...names.slice(0, index).map((name) => succeeded.get(name)!), record];
    await writeRunStageState(lakehouse.warehouse, pipeline.name, { runId, stages });
    if (failure) throw failure.error;
    return { ...base, skipped: false, result };
  } finally {
    await lakehouse.close();
  }
}
