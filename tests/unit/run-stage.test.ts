/** Running one stage of a staged pipeline by name (pipelines/staged/run-stage.ts), on a local warehouse with counting stages. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TransientStorageError, UsageError } from '../../etl/errors.js';
import { STAGED_PIPELINES, stagedPipelineNamed } from '../../pipelines/registry.js';
import { runStage } from '../../pipelines/staged/run-stage.js';
import { StageOrderError, UnknownStageError } from '../../pipelines/staged/stage-errors.js';
import { runStageStateKey, type StageState } from '../../pipelines/staged/stage-state.js';
import type { StagedDefinition } from '../../pipelines/staged/staged-definition.js';
import { runStaged, type Stage } from '../../pipelines/staged/staged-pipeline.js';
import { tempDir } from '../support/stores.js';

/** A pipeline of stages a, b, c that count their runs; `b` fails as told. */
function counting(failures: Error[] = []) {
  const calls: Record<string, number> = { a: 0, b: 0, c: 0 };
  const seen: Array<Record<string, unknown>> = [];
  const stage = (name: string): Stage => ({
    name,
    async run(ctx) {
      calls[name]! += 1;
      seen.push(Object.fromEntries(ctx.results));
      if (name === 'b' && failures.length) throw failures.shift()!;
      return { stage: name, runId: ctx.runId, n: calls[name] };
    },
  });
  const pipeline: StagedDefinition = { name: 'counting', stages: [stage('a'), stage('b'), stage('c')], summaryStage: 'b' };
  return { pipeline, calls, seen };
}

const state = (warehouse: string, runId: string) => JSON.parse(readFileSync(join(warehouse, runStageStateKey('counting', runId)), 'utf8')) as StageState;

test('stages run one at a time in one run; each sees the results before it; the next stage is named', async () => {
  const warehouse = tempDir('run-stage-');
  const { pipeline, calls, seen } = counting();
  const request = { settings: { warehouse }, runId: 'exec-1' };
  expect(await runStage(pipeline, 'a', request)).toEqual({ pipeline: 'counting', runId: 'exec-1', stage: 'a', skipped: false, result: { stage: 'a', runId: 'exec-1', n: 1 }, next: 'b' });
  await runStage(pipeline, 'b', request);
  const last = await runStage(pipeline, 'c', request);
  expect(last).toEqual({ pipeline: 'counting', runId: 'exec-1', stage: 'c', skipped: false, result: { stage: 'c', runId: 'exec-1', n: 1 } });
  expect(last).not.toHaveProperty('next');
  expect(calls).toEqual({ a: 1, b: 1, c: 1 });
  expect(seen[2]).toEqual({ a: { stage: 'a', runId: 'exec-1', n: 1 }, b: { stage: 'b', runId: 'exec-1', n: 1 } });
  expect(state(warehouse, 'exec-1').stages.map((s) => `${s.name}:${s.status}`)).toEqual(['a:succeeded', 'b:succeeded', 'c:succeeded']);
});

test('a stage run twice in the same run is idempotent: the second call runs nothing and returns the recorded result', async () => {
  const warehouse = tempDir('run-stage-');
  const { pipeline, calls } = counting();
  const request = { settings: { warehouse }, runId: 'exec-2' };
  const first = await runStage(pipeline, 'a', request);
  const again = await runStage(pipeline, 'a', request);
  expect(calls.a).toBe(1);
  expect(again).toEqual({ ...first, skipped: true });
  // A new run runs it again.
  expect((await runStage(pipeline, 'a', { ...request, runId: 'exec-3' })).skipped).toBe(false);
  expect(calls.a).toBe(2);
});

test('a failed attempt is recorded and its error thrown unchanged; the retry runs the stage again and succeeds', async () => {
  const warehouse = tempDir('run-stage-');
  const transient = new TransientStorageError('S3 said SlowDown');
  const { pipeline, calls } = counting([transient]);
  const request = { settings: { warehouse }, runId: 'exec-4' };
  await runStage(pipeline, 'a', request);
  await expect(runStage(pipeline, 'b', request)).rejects.toBe(transient);
  expect(state(warehouse, 'exec-4').stages).toEqual([
    { name: 'a', status: 'succeeded', result: { stage: 'a', runId: 'exec-4', n: 1 } },
    { name: 'b', status: 'failed', error: { code: 'storage_transient', kind: 'transient', message: 'S3 said SlowDown' } },
  ]);
  expect((await runStage(pipeline, 'b', request)).skipped).toBe(false);
  expect(calls).toEqual({ a: 1, b: 2, c: 0 });
  expect(state(warehouse, 'exec-4').stages.map((s) => `${s.name}:${s.status}`)).toEqual(['a:succeeded', 'b:succeeded']);
});

test('an unknown stage is a terminal error naming the known ones; nothing runs and nothing is recorded', async () => {
  const warehouse = tempDir('run-stage-');
  const { pipeline, calls } = counting();
  const error = await runStage(pipeline, 'platinum', { settings: { warehouse }, runId: 'exec-5' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnknownStageError);
  expect((error as UnknownStageError).kind).toBe('terminal');
  expect((error as Error).message).toBe('pipeline counting has no stage "platinum"; its stages are a, b, c');
  expect(calls).toEqual({ a: 0, b: 0, c: 0 });
  expect(existsSync(join(warehouse, runStageStateKey('counting', 'exec-5')))).toBe(false);
});

test('a stage asked for before the earlier ones succeeded in its run is a terminal error', async () => {
  const warehouse = tempDir('run-stage-');
  const { pipeline, calls } = counting();
  await runStage(pipeline, 'a', { settings: { warehouse }, runId: 'exec-6' });
  const error = await runStage(pipeline, 'c', { settings: { warehouse }, runId: 'exec-6' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StageOrderError);
  expect((error as StageOrderError).kind).toBe('terminal');
  expect((error as Error).message).toMatch(/stage c of counting run exec-6 cannot run before b succeeded/);
  expect(calls.c).toBe(0);
});

test.each(['', '../escape', 'a b', 'x'.repeat(81)])('run id %j is refused as a usage error', async (runId) => {
  const { pipeline, calls } = counting();
  await expect(runStage(pipeline, 'a', { settings: { warehouse: tempDir('run-stage-') }, runId })).rejects.toBeInstanceOf(UsageError);
  expect(calls.a).toBe(0);
});

test('runStaged keeps its own per-pipeline state: one-stage runs do not disturb it', async () => {
  const warehouse = tempDir('run-stage-');
  const { pipeline } = counting();
  await runStage(pipeline, 'a', { settings: { warehouse }, runId: 'exec-7' });
  const summary = await runStaged(pipeline.name, pipeline.stages, pipeline.summaryStage, { settings: { warehouse } });
  expect(summary.status).toBe('succeeded');
  expect(summary.resumed).toBe(false);
  expect(summary.stages.map((s) => s.name)).toEqual(['a', 'b', 'c']);
  expect(existsSync(join(warehouse, '_lakehouse/stages/counting.json'))).toBe(true);
  expect(state(warehouse, 'exec-7').stages.map((s) => s.name)).toEqual(['a']);
});

test('the registry lists the staged pipelines with their stages; plain pipelines have none', () => {
  expect(Object.keys(STAGED_PIPELINES).sort()).toEqual(['customer-purchases', 'customer-transactions']);
  for (const name of ['customer-purchases', 'customer-transactions']) {
    expect(stagedPipelineNamed(name)!.stages.map((s) => s.name)).toEqual(['land', 'silver', 'gold', 'serve']);
    expect(stagedPipelineNamed(name)!.summaryStage).toBe('silver');
  }
  expect(stagedPipelineNamed('ecommerce')).toBeUndefined();
  expect(stagedPipelineNamed('toString')).toBeUndefined();
});

test('the registry builds customer-purchases stages with a rate table (the Lambda RATES): its silver prices a currency the default quarantines', async () => {
  const dir = tempDir('run-stage-rates-');
  const raw = join(dir, 'raw');
  mkdirSync(raw);
  writeFileSync(join(raw, 'p.csv'), 'customer_id,first_name,last_name,email,purchase_id,purchase_date,amount,currency\n1,Ann,Lee,a@x.io,1,2026-01-01,10.00,EUR\n');
  const silverOf = async (warehouse: string, staged: StagedDefinition) => {
    const request = { settings: { warehouse, raw }, runId: 'exec-r' };
    await runStage(staged, 'land', request);
    return ((await runStage(staged, 'silver', request)).result as { datasets: { accepted: number; rejected: number }[] }).datasets[0];
  };
  expect(await silverOf(join(dir, 'wh1'), stagedPipelineNamed('customer-purchases', { rates: { EUR: 1.65, AUD: 1 } })!)).toMatchObject({ accepted: 1, rejected: 0 });
  expect(await silverOf(join(dir, 'wh2'), stagedPipelineNamed('customer-purchases')!)).toMatchObject({ accepted: 0, rejected: 1 });
  expect(stagedPipelineNamed('customer-transactions', { rates: { EUR: 1 } })).toBe(STAGED_PIPELINES['customer-transactions']);
});
