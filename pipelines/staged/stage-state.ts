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
