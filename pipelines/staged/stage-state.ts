/**
 * Durable stage state for local orchestration: `_lakehouse/stages/<pipeline>.json` records the run's
 * completed stages (with their results) and the stage that failed. The next run of a pipeline whose
 * last run failed resumes it: same run id, completed stages skipped, starting at the failed stage.
 * Every stage is idempotent on its own (landing markers, the ingest ledger, batch keys, upserts), so a
 * crash between a stage's work and this record only repeats work that changes nothing.
 */
import type { ObjectStore } from '../../etl/storage/object-store.js';

/** One stage's record. */
export interface StageRecord {
  /** Stage name. */
  name: string;
  /** `succeeded` or `failed`. */
  status: 'succeeded' | 'failed';
  /** What the stage reported (JSON). */
  result?: unknown;
  /** Why it failed. */
  error?: { code: string; message: string; kind?: string };
}

/** The state of a pipeline's latest run. */
export interface StageState {
  /** Run id. */
  runId: string;
  /** Stages in run order, as far as the run got. */
  stages: StageRecord[];
}

const key = (pipeline: string) => `_lakehouse/stages/${pipeline}.json`;

/** The latest run's state, or undefined before the first run. */
export async function readStageState(warehouse: ObjectStore, pipeline: string): Promise<StageState | undefined> {
  if (!(await warehouse.head(key(pipeline)))) return undefined;
  return JSON.parse(new TextDecoder().decode(await warehouse.get(key(pipeline)))) as StageState;
}

/** Record the state. */
export async function writeStageState(warehouse: ObjectStore, pipeline: string, state: StageState): Promise<void> {
  await warehouse.put(key(pipeline), new TextEncoder().encode(JSON.stringify(state, null, 2)));
}

/**
 * Where one run's stage state lives when an outside orchestrator (the Step Functions state machine)
 * drives the stages one at a time: `_lakehouse/stages/<pipeline>/<runId>.json`. One file per run, so
 * concurrent runs (a schedule and a new file) never share a record.
 */
export function runStageStateKey(pipeline: string, runId: string): string {
  return `_lakehouse/stages/${pipeline}/${runId}.json`;
}

/** The state of run `runId` of `pipeline`, or undefined before its first stage. */
export async function readRunStageState(warehouse: ObjectStore, pipeline: string, runId: string): Promise<StageState | undefined> {
  const path = runStageStateKey(pipeline, runId);
  if (!(await warehouse.head(path))) return undefined;
  return JSON.parse(new TextDecoder().decode(await warehouse.get(path))) as StageState;
}

/** Record the state of run `state.runId` of `pipeline`. */
export async function writeRunStageState(warehouse: ObjectStore, pipeline: string, state: StageState): Promise<void> {
  await warehouse.put(runStageStateKey(pipeline, state.runId), new TextEncoder().encode(JSON.stringify(state, null, 2)));
}
