/**
 * The Lambda handler's stage events (from the Step Functions state machine) and staged pipelines run
 * whole: the request built from the environment, transient vs terminal error names for the state
 * machine's Retry, the PostgreSQL URL, and the adapters over real `runStage`/`runStaged` on a local
 * warehouse with counting stages.
 */
import { CommitConflictError, LakehouseError, TransientStorageError } from '../../etl/errors.js';
import {
  InvalidEventError,
  LambdaConfigError,
  PipelineRunFailedError,
  TERMINAL_STAGE_ERROR,
  TRANSIENT_STAGE_ERROR,
  TerminalStageError,
  TransientStageError,
} from '../../pipelines/aws/errors.js';
import { MAX_STAGE_RESULT_BYTES, createHandler, type LogEntry } from '../../pipelines/aws/handler.js';
import { loadLambdaConfig } from '../../pipelines/aws/lambda-config.js';
import { runnerFor, type RunnerParts } from '../../pipelines/aws/runner-adapter.js';
import type { RunStage, RunStageRequest } from '../../pipelines/aws/run-stage-port.js';
import { stageRunnerFor } from '../../pipelines/aws/stage-runner-adapter.js';
import { pipelineNamed } from '../../pipelines/registry.js';
import { UnknownStageError } from '../../pipelines/staged/stage-errors.js';
import type { StagedDefinition } from '../../pipelines/staged/staged-definition.js';
import type { Stage } from '../../pipelines/staged/staged-pipeline.js';
import { tempDir } from '../support/stores.js';

const ENV = {
  RAW_URI: 's3://lake-raw/customer-purchases',
  WAREHOUSE_URI: 's3://lake-processed/warehouse',
  FORMAT: 'delta',
  GLUE_DATABASE: 'customer_purchases',
  ATHENA_WORKGROUP: 'lakehouse-etl',
  ATHENA_OUTPUT: 's3://lake-processed/athena-results/',
  PIPELINE: 'customer-purchases',
  DATASETS: 'purchases',
};

const stageEvent = (stage: string, runId = 'a1b2c3d4-0000-4000-8000-000000000001') => ({ pipeline: 'customer-purchases', stage, runId });

/** A handler whose stage runner records requests and answers (or throws) as told. */
function setup(answer: (request: RunStageRequest) => Promise<unknown> = async () => ({ ok: true }), env: Record<string, string | undefined> = ENV) {
  const requests: RunStageRequest[] = [];
  const logs: LogEntry[] = [];
  const runStage: RunStage = async (request) => {
    requests.push(request);
    const result = await answer(request);
    return { pipeline: request.pipeline, runId: request.runId, stage: request.stage, skipped: false, result, next: 'gold' };
  };
  const handler = createHandler({
    runPipeline: async () => {
      throw new Error('no whole runs here');
    },
    runStage,
    env,
    log: (entry) => logs.push(entry),
  });
  return { handler, requests, logs };
}

describe('stage events', () => {
  test('run the stage with the function’s configuration and return the JSON the next state passes on', async () => {
    const { handler, requests } = setup();
    const result = await handler(stageEvent('silver'));
    expect(requests).toEqual([
      {
        pipeline: 'customer-purchases',
        stage: 'silver',
        runId: 'a1b2c3d4-0000-4000-8000-000000000001',
        raw: 's3://lake-raw/customer-purchases',
        warehouse: 's3://lake-processed/warehouse',
        format: 'delta',
        database: 'customer_purchases',
        workGroup: 'lakehouse-etl',
        outputLocation: 's3://lake-processed/athena-results/',
      },
    ]);
    expect(result).toEqual({
      outcome: 'stage-succeeded',
      pipeline: 'customer-purchases',
      runId: 'a1b2c3d4-0000-4000-8000-000000000001',
      stage: 'silver',
      skipped: false,
      result: { ok: true },
      next: 'gold',
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  test('DATABASE_URL reaches the stage; a malformed one is a terminal config error that does not echo the secret', async () => {
    const { handler, requests } = setup(undefined, { ...ENV, DATABASE_URL: 'postgres://etl:s3cret@db.example.com:5432/analytics' });
    await handler(stageEvent('serve'));
    expect(requests[0]!.databaseUrl).toBe('postgres://etl:s3cret@db.example.com:5432/analytics');
    const error = (() => {
      try {
        loadLambdaConfig({ ...ENV, DATABASE_URL: 'mysql://etl:s3cret@db' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LambdaConfigError);
    expect((error as Error).message).toMatch(/environment variable DATABASE_URL: expected a postgres:/);
    expect((error as Error).message).not.toMatch(/s3cret/);
  });

  test.each([
    ['TransientStorageError', new TransientStorageError('SlowDown')],
    ['CommitConflictError', new CommitConflictError('lost the race')],
  ])('a transient %s becomes a TransientStageError, which the state machine retries', async (_what, cause) => {
    const { handler, logs } = setup(() => Promise.reject(cause));
    const error = await handler(stageEvent('gold')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientStageError);
    expect((error as Error).name).toBe(TRANSIENT_STAGE_ERROR);
    expect((error as Error).name).toBe('TransientStageError');
    expect((error as TransientStageError).kind).toBe('transient');
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).message).toBe(`stage gold of customer-purchases run a1b2c3d4-0000-4000-8000-000000000001 failed: ${cause.code}: ${cause.message}`);
    expect(logs.at(-1)).toEqual(expect.objectContaining({ level: 'error', msg: 'stage failed', errorName: 'TransientStageError' }));
  });

  test.each([
    ['an unknown stage', new UnknownStageError('customer-purchases', 'platinum', ['land', 'silver', 'gold', 'serve']), /unknown_stage: pipeline customer-purchases has no stage "platinum"/],
    ['a terminal LakehouseError', new LakehouseError('foreign_key', 'terminal', 'fail policy tripped'), /foreign_key: fail policy tripped/],
    ['an error that is not ours', new TypeError('x is undefined'), /TypeError: x is undefined/],
  ])('%s becomes a TerminalStageError, which the state machine does not retry', async (_what, cause, message) => {
    const { handler } = setup(() => Promise.reject(cause));
    const error = await handler(stageEvent('platinum')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerminalStageError);
    expect((error as Error).name).toBe(TERMINAL_STAGE_ERROR);
    expect((error as TerminalStageError).kind).toBe('terminal');
    expect((error as Error).message).toMatch(message);
  });

  test.each([
    ['another pipeline', { ...stageEvent('land'), pipeline: 'ecommerce' }, /names pipeline ecommerce, but this function runs customer-purchases/],
    ['an extra field', { ...stageEvent('land'), dryRun: true }, /invalid stage event/],
    ['a run id that is not a name', stageEvent('land', '../../etc'), /invalid stage event: runId/],
    ['no run id', { pipeline: 'customer-purchases', stage: 'land' }, /invalid stage event: runId/],
  ])('a stage event naming %s is a terminal InvalidEventError, before anything runs', async (_what, event, message) => {
    const { handler, requests } = setup();
    const error = await handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toMatch(message);
    expect(requests).toEqual([]);
  });

  test('a handler built without a stage runner refuses stage events', async () => {
    const handler = createHandler({ runPipeline: async () => ({ status: 'succeeded', runId: 'r' }), env: ENV, log: () => undefined });
    await expect(handler(stageEvent('land'))).rejects.toThrow(/this handler runs no stages/);
  });

  test(`a result over ${MAX_STAGE_RESULT_BYTES} bytes is replaced by a pointer to the stage state`, async () => {
    const { handler } = setup(async () => ({ landed: Array.from({ length: 5000 }, (_, i) => `purchases/ingest_date=2026-01-01/file-${i}.csv`) }));
    const result = await handler(stageEvent('land'));
    expect(result).toMatchObject({
      outcome: 'stage-succeeded',
      result: { truncated: true, recordedIn: '_lakehouse/stages/customer-purchases/a1b2c3d4-0000-4000-8000-000000000001.json' },
    });
  });
});

/** A staged pipeline like customer-purchases (land, silver, gold, serve) whose stages only count. */
function countingPipeline(name = 'customer-purchases', failSilverWith?: Error) {
  const calls: string[] = [];
  const stage = (stageName: string): Stage => ({
    name: stageName,
    async run(ctx) {
      calls.push(stageName);
      if (stageName === 'silver' && failSilverWith) throw failSilverWith;
      if (stageName === 'silver') return { pipeline: name, runId: ctx.runId, status: 'succeeded', datasets: [] };
      return { stage: stageName, postgres: ctx.request.postgres?.url ?? null };
    },
  });
  const staged: StagedDefinition = { name, stages: ['land', 'silver', 'gold', 'serve'].map(stage), summaryStage: 'silver' };
  return { staged, calls };
}

describe('the stage adapter over the real runStage', () => {
  test('without DATABASE_URL the serve stage fails terminally, naming DATABASE_URL and the stack’s databaseUrlSecret', async () => {
    const warehouse = tempDir('stage-adapter-');
    const { staged, calls } = countingPipeline();
    // A local warehouse through the adapter: call it with the request the handler would build.
    const run = stageRunnerFor({ stagedOf: (name) => (name === staged.name ? staged : undefined) });
    const base = { pipeline: 'customer-purchases', runId: 'exec-1', raw: warehouse, warehouse, format: 'delta' as const, database: 'customer_purchases', workGroup: 'wg', outputLocation: 's3://x/y/' };
    for (const stage of ['land', 'silver', 'gold']) expect((await run({ ...base, stage })).skipped).toBe(false);
    const error = await run({ ...base, stage: 'serve' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaConfigError);
    expect((error as LambdaConfigError).variable).toBe('DATABASE_URL');
    expect((error as LambdaConfigError).kind).toBe('terminal');
    expect((error as Error).message).toMatch(/DATABASE_URL: is not set, and the serve stage of customer-purchases writes to PostgreSQL .*databaseUrlSecret .*lakehouse:databaseUrlSecret/);
    expect(calls).toEqual(['land', 'silver', 'gold']);
    // With a URL the same run's serve stage runs, with the URL, and a second call is skipped.
    const served = await run({ ...base, stage: 'serve', databaseUrl: 'postgres://u:p@h:5432/d' });
    expect(served).toEqual({ pipeline: 'customer-purchases', runId: 'exec-1', stage: 'serve', skipped: false, result: { stage: 'serve', postgres: 'postgres://u:p@h:5432/d' } });
    expect((await run({ ...base, stage: 'serve', databaseUrl: 'postgres://u:p@h:5432/d' })).skipped).toBe(true);
    expect(calls).toEqual(['land', 'silver', 'gold', 'serve']);
  });

  test('a pipeline without stages is refused', async () => {
    const run = stageRunnerFor({ stagedOf: () => undefined });
    await expect(
      run({ pipeline: 'ecommerce', stage: 'land', runId: 'r', raw: 's3://a/b', warehouse: 's3://a/c', format: 'delta', database: 'ecommerce', workGroup: 'w', outputLocation: 's3://a/d/' }),
    ).rejects.toThrow(/pipeline ecommerce has no stages/);
  });
});

describe('a staged pipeline scheduled whole (customer-transactions)', () => {
  function parts(staged: StagedDefinition): RunnerParts {
    return {
      run: async () => Promise.reject(new Error('the plain runner must not run a staged pipeline')),
      definitionOf: pipelineNamed,
      openStore: () => {
        throw new Error('unused');
      },
      openCatalog: () => {
        throw new Error('unused');
      },
      openEngine: () => ({ close: async () => undefined }) as never,
      stagedOf: (name) => (name === staged.name ? staged : undefined),
    };
  }
  const request = (warehouse: string, databaseUrl?: string) => ({
    pipeline: 'customer-transactions',
    raw: warehouse,
    warehouse,
    format: 'delta' as const,
    catalog: 'glue' as const,
    engine: 'athena' as const,
    trigger: 'schedule' as const,
    database: 'customer_transactions',
    ...(databaseUrl ? { databaseUrl } : {}),
  });

  test('runs every stage with runStaged in one invocation', async () => {
    const warehouse = tempDir('staged-whole-');
    const { staged, calls } = countingPipeline('customer-transactions');
    const result = await runnerFor(parts(staged))(request(warehouse, 'postgres://u:p@h/d'));
    expect(result).toEqual({ status: 'succeeded', runId: expect.any(String) as unknown as string });
    expect(calls).toEqual(['land', 'silver', 'gold', 'serve']);
  });

  test('without DATABASE_URL the run fails at serve with a terminal reason, so the handler’s error is terminal; the next run resumes at serve', async () => {
    const warehouse = tempDir('staged-whole-');
    const { staged, calls } = countingPipeline('customer-transactions');
    const result = await runnerFor(parts(staged))(request(warehouse));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'lambda_config', kind: 'terminal' } });
    expect(result.error!.message).toMatch(/DATABASE_URL: is not set/);
    const handler = createHandler({ runPipeline: async () => result, env: { ...ENV, PIPELINE: 'customer-transactions', GLUE_DATABASE: 'customer_transactions' }, log: () => undefined });
    const error = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineRunFailedError);
    expect((error as PipelineRunFailedError).kind).toBe('terminal');
    const resumed = await runnerFor(parts(staged))(request(warehouse, 'postgres://u:p@h/d'));
    expect(resumed).toEqual({ status: 'succeeded', runId: result.runId });
    expect(calls).toEqual(['land', 'silver', 'gold', 'serve']);
  });

  test('a failed stage with a transient error keeps the run’s failure transient', async () => {
    const warehouse = tempDir('staged-whole-');
    const { staged } = countingPipeline('customer-transactions', new TransientStorageError('SlowDown'));
    const result = await runnerFor(parts(staged))(request(warehouse, 'postgres://u:p@h/d'));
    expect(result).toMatchObject({ status: 'failed', error: { code: 'storage_transient', kind: 'transient' } });
    expect(new PipelineRunFailedError('customer-transactions', result.runId, result.error).kind).toBe('transient');
  });
});
