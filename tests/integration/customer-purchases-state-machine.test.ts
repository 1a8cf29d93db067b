/**
 * The deployed customer-purchases state machine, walked as Step Functions would: its ASL is taken from
 * the synthesized CDK template, and a test-side interpreter (tests/support/asl-interpreter.ts) calls the
 * real Lambda handler in process for each Lambda task, against S3 and Glue on moto and a real
 * PostgreSQL server. The one stand-in is the query engine: moto runs no Athena SQL, so the gold stage
 * queries with DuckDB over the same Glue catalog and S3 warehouse. SNS publishes are recorded.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import pg from 'pg';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { TransientStorageError } from '../../etl/errors.js';
import { openStore } from '../../etl/storage/open-store.js';
import { createHandler, type LogEntry } from '../../pipelines/aws/handler.js';
import type { RunStage } from '../../pipelines/aws/run-stage-port.js';
import { stageRunnerFor } from '../../pipelines/aws/stage-runner-adapter.js';
import { buildLakehouseApp } from '../../pipelines/infra/lakehouse-app.js';
import { stagedPipelineNamed } from '../../pipelines/registry.js';
import { definitionOf, runExecution, TaskFailure, type AslDefinition, type TaskCall } from '../support/asl-interpreter.js';
import { realServerWanted, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { createTestBucket } from '../support/s3-bucket.js';
import { tempDir } from '../support/stores.js';

type Json = Record<string, any>;

const HEADER = 'customer_id,first_name,last_name,email,purchase_id,purchase_date,amount,currency';
const DAY1 = [HEADER, '1,Ann,Lee,ann@example.com,101,2026-01-01,10.00,USD', '2,Bob,Ray,bob@example.com,102,2026-01-02,20.00,AUD', '3,Cat,Ng,not-an-email,103,2026-01-02,5.00,AUD'].join('\n');
const DAY2 = [HEADER, '1,Ann,Lee,ann@example.com,101,2026-01-01,40.00,USD', '3,Cat,Ng,cat@example.com,104,2026-01-03,7.00,AUD'].join('\n');

/** The customer-purchases state machine's ASL and the rendered ARN of the function its tasks call. */
async function synthesizedStateMachine(): Promise<{ asl: AslDefinition; functionArn: string; topicArn: string }> {
  const work = await mkdtemp(join(tmpdir(), 'lakehouse-sfn-it-'));
  try {
    await mkdir(join(work, 'asset'));
    await writeFile(join(work, 'asset', 'index.mjs'), 'export const handler = async () => ({});\n');
    const cdkContext = (JSON.parse(await readFile('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;
    const app = new App({ context: { ...cdkContext, 'lakehouse:pipelines': 'customer-purchases' }, outdir: join(work, 'cdk.out') });
    const template = Template.fromStack(buildLakehouseApp(app, { lambdaAssetPath: join(work, 'asset') }));
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Json[];
    expect(machines).toHaveLength(1);
    const [fn] = Object.keys(template.findResources('AWS::Lambda::Function'));
    const [topic] = Object.keys(template.findResources('AWS::SNS::Topic'));
    return { asl: definitionOf(machines[0]!), functionArn: `arn:${fn}`, topicArn: `ref:${topic}` };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const suite = realServerWanted() ? describe : describe.skip;

suite('the customer-purchases state machine, walked over the real handler (moto S3 + Glue, PostgreSQL)', () => {
  let server: PostgresServer | undefined;
  let machine: { asl: AslDefinition; functionArn: string; topicArn: string };
  let bucket: string;
  let env: Record<string, string>;
  const published: Json[] = [];
  const logs: LogEntry[] = [];

  beforeAll(async () => {
    machine = await synthesizedStateMachine();
    server = await startPostgresServer();
    bucket = (await createTestBucket()).replace(/\/warehouse$/, '');
    env = {
      RAW_URI: `${bucket}/raw/customer-purchases`,
      WAREHOUSE_URI: `${bucket}/warehouse`,
      FORMAT: 'delta',
      GLUE_DATABASE: 'customer_purchases',
      ATHENA_WORKGROUP: 'lakehouse-etl',
      ATHENA_OUTPUT: `${bucket}/athena-results/`,
      PIPELINE: 'customer-purchases',
      DATASETS: 'purchases',
      DATABASE_URL: server.url,
    };
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** Run one execution: Lambda tasks go to the handler (with `wrap` around the stage runner), SNS publishes are recorded. */
  async function execute(name: string, options: { env?: Record<string, string>; wrap?: (run: RunStage) => RunStage } = {}) {
    const real = stageRunnerFor({ stagedOf: stagedPipelineNamed, engine: 'duckdb' });
    const handler = createHandler({
      runPipeline: async () => Promise.reject(new Error('the state machine runs stages, never whole runs')),
      runStage: options.wrap ? options.wrap(real) : real,
      env: options.env ?? env,
      log: (entry) => logs.push(entry),
    });
    const invoke = async (call: TaskCall): Promise<unknown> => {
      if (call.resource === 'arn:aws:states:::lambda:invoke') {
        expect(call.parameters.FunctionName).toBe(machine.functionArn);
        return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: await handler(call.parameters.Payload) };
      }
      if (call.resource === 'arn:aws:states:::sns:publish') {
        expect(call.parameters.TopicArn).toBe(machine.topicArn);
        published.push(call.parameters);
        return { MessageId: `m-${published.length}` };
      }
      throw new TaskFailure('States.Runtime', `unexpected resource ${call.resource}`);
    };
    const input = { version: '0', source: 'aws.events', 'detail-type': 'Scheduled Event', detail: { pipeline: 'customer-purchases' } };
    return runExecution(machine.asl, input, { name, invoke });
  }

  const putRaw = (key: string, body: string) => openStore(env.RAW_URI!).put(key, new TextEncoder().encode(`${body}\n`));

  async function servedRows(): Promise<Json[]> {
    const client = new pg.Client({ connectionString: server!.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT customer_id, full_name, total_spent_aud::text AS total, updated_at::text AS updated_at FROM customer_purchase_summary ORDER BY customer_id',
      );
      return rows as Json[];
    } finally {
      await client.end();
    }
  }

  async function goldRows(): Promise<Json[]> {
    const engine = await DuckDbEngine.open({ catalog: new GlueCatalog({}), cacheDir: tempDir('sfn-cache-') });
    try {
      const { rows } = await engine.query(
        'SELECT customer_id, full_name, CAST(total_spent_aud AS VARCHAR) AS total FROM customer_purchases.customer_purchase_summary ORDER BY customer_id',
      );
      return rows.map((r) => ({ ...r, customer_id: Number(r.customer_id) }));
    } finally {
      await engine.close();
    }
  }

  test('one execution runs land -> silver -> gold -> serve: the gold table and the PostgreSQL rows are written', async () => {
    await putRaw('purchases/day1.csv', DAY1);
    const result = await execute('exec-0001');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.history).toEqual(['land', 'silver', 'gold', 'serve']);
    expect(published).toEqual([]);
    expect(result.output).toMatchObject({ outcome: 'stage-succeeded', pipeline: 'customer-purchases', stage: 'serve', runId: 'exec-0001', skipped: false });
    expect((result.output as Json).result.top_customers).toEqual([
      { customer_id: 2, full_name: 'Bob Ray', total_spent_aud: '20.00' },
      { customer_id: 1, full_name: 'Ann Lee', total_spent_aud: '15.00' },
    ]);
    expect(await goldRows()).toEqual([
      { customer_id: 1, full_name: 'Ann Lee', total: '15.00' },
      { customer_id: 2, full_name: 'Bob Ray', total: '20.00' },
    ]);
    expect((await servedRows()).map(({ updated_at, ...r }) => r)).toEqual([
      { customer_id: 1, full_name: 'Ann Lee', total: '15.00' },
      { customer_id: 2, full_name: 'Bob Ray', total: '20.00' },
    ]);
    // The stages ran under the execution's name as run id; silver quarantined the bad email.
    const warehouse = openStore(env.WAREHOUSE_URI!);
    const state = JSON.parse(new TextDecoder().decode(await warehouse.get('_lakehouse/stages/customer-purchases/exec-0001.json'))) as { stages: Json[] };
    expect(state.stages.map((s) => `${s.name}:${s.status}`)).toEqual(['land:succeeded', 'silver:succeeded', 'gold:succeeded', 'serve:succeeded']);
    expect(state.stages[1]!.result.datasets[0]).toMatchObject({ name: 'purchases', read: 3, accepted: 2, rejected: 1 });
  }, 300_000);

  test('the same execution again (a redrive) skips every stage and changes nothing', async () => {
    const before = await servedRows();
    const result = await execute('exec-0001');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ stage: 'serve', skipped: true });
    expect(logs.filter((l) => l.msg === 'stage already done').map((l) => l.stage)).toEqual(['land', 'silver', 'gold', 'serve']);
    expect(await servedRows()).toEqual(before);
  }, 300_000);

  test('a transient failure of gold is retried by the machine’s Retry, and the next day’s file reaches PostgreSQL', async () => {
    await putRaw('purchases/day2.csv', DAY2);
    let failures = 0;
    const result = await execute('exec-0002', {
      wrap: (run) => async (request) => {
        if (request.stage === 'gold' && failures === 0) {
          failures += 1;
          throw new TransientStorageError('S3 answered 503 SlowDown');
        }
        return run(request);
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.history).toEqual(['land', 'silver', 'gold', 'gold', 'serve']);
    expect(result.retries).toEqual([{ state: 'gold', error: 'TransientStageError', intervalSeconds: 30 }]);
    expect((await servedRows()).map(({ updated_at, ...r }) => r)).toEqual([
      { customer_id: 1, full_name: 'Ann Lee', total: '60.00' },
      { customer_id: 2, full_name: 'Bob Ray', total: '20.00' },
      { customer_id: 3, full_name: 'Cat Ng', total: '7.00' },
    ]);
    expect(published).toEqual([]);
  }, 300_000);

  test('without DATABASE_URL serve fails terminally: no retry, an SNS message on the alarm topic, then the Fail state', async () => {
    const { DATABASE_URL: _url, ...withoutUrl } = env;
    const result = await execute('exec-0003', { env: withoutUrl });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('TerminalStageError');
    expect(result.cause).toMatch(/DATABASE_URL: is not set.*databaseUrlSecret/);
    expect(result.history).toEqual(['land', 'silver', 'gold', 'serve', 'alarm serve failed', 'failed']);
    expect(result.retries).toEqual([]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      Subject: 'lakehouse-etl: customer-purchases failed at stage serve',
      Message: { pipeline: 'customer-purchases', stage: 'serve', runId: 'exec-0003', error: 'TerminalStageError' },
    });
    expect((published[0]!.Message as Json).cause).toMatch(/DATABASE_URL/);
  }, 300_000);
});
