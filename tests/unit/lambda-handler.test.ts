/** The EventBridge Lambda handler (pipelines/aws), with an injected runner and environment. */
import { LakehouseError } from '../../etl/errors.js';
import { InvalidEventError, LambdaConfigError, PipelineRunFailedError } from '../../pipelines/aws/errors.js';
import { createHandler, type LogEntry } from '../../pipelines/aws/handler.js';
import { loadLambdaConfig } from '../../pipelines/aws/lambda-config.js';
import type { RunPipelineRequest, RunPipelineResult } from '../../pipelines/aws/run-pipeline-port.js';

const ENV = {
  RAW_URI: 's3://lake-raw/ecommerce',
  WAREHOUSE_URI: 's3://lake-processed/warehouse',
  FORMAT: 'delta',
  GLUE_DATABASE: 'ecommerce',
  ATHENA_WORKGROUP: 'lakehouse-etl',
  ATHENA_OUTPUT: 's3://lake-processed/athena-results/',
  PIPELINE: 'ecommerce',
  DATASETS: 'products,orders,order_items',
};

/** A runner that records its requests and answers with `status`. */
function recordingRunner(status: RunPipelineResult['status'] = 'succeeded') {
  const requests: RunPipelineRequest[] = [];
  const run = async (request: RunPipelineRequest): Promise<RunPipelineResult> => {
    requests.push(request);
    return { status, runId: `run-${requests.length}` };
  };
  return { requests, run };
}

function setup(env: Record<string, string | undefined> = ENV, status: RunPipelineResult['status'] = 'succeeded') {
  const runner = recordingRunner(status);
  const logs: LogEntry[] = [];
  const handler = createHandler({ runPipeline: runner.run, env, log: (entry) => logs.push(entry) });
  return { handler, requests: runner.requests, logs };
}

/** An EventBridge Scheduled Event as AWS delivers it (a plain schedule's detail is `{}`). */
function scheduledEvent(detail: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2025-04-02T02:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:123456789012:rule/daily'],
    detail,
  };
}

/** An S3 Object Created event delivered through EventBridge. */
function objectCreated(key: string, bucket = 'lake-raw') {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: '2025-04-01T10:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 5120, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '617f08299329d189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      reason: 'PutObject',
    },
  };
}

/** What every request carries from the environment. */
const FROM_ENV = {
  pipeline: 'ecommerce',
  raw: 's3://lake-raw/ecommerce',
  warehouse: 's3://lake-processed/warehouse',
  format: 'delta',
  catalog: 'glue',
  engine: 'athena',
  database: 'ecommerce',
  workGroup: 'lakehouse-etl',
  outputLocation: 's3://lake-processed/athena-results/',
};

describe('scheduled events', () => {
  test('a schedule naming the pipeline runs it over every dataset with the env config', async () => {
    const { handler, requests } = setup();
    const result = await handler(scheduledEvent({ pipeline: 'ecommerce' }));
    expect(requests).toEqual([{ ...FROM_ENV, trigger: 'schedule' }]);
    expect(requests[0]).not.toHaveProperty('prefix');
    expect(result).toEqual({ outcome: 'succeeded', pipeline: 'ecommerce', runId: 'run-1', trigger: 'schedule' });
  });

  test('a plain Scheduled Event (empty detail) runs the function’s pipeline; FORMAT is honoured', async () => {
    const { handler, requests } = setup({ ...ENV, FORMAT: 'iceberg' });
    await handler(scheduledEvent());
    expect(requests).toEqual([{ ...FROM_ENV, format: 'iceberg', trigger: 'schedule' }]);
  });

  test('FORMAT defaults to delta when unset', async () => {
    const { handler, requests } = setup({ ...ENV, FORMAT: undefined });
    await handler(scheduledEvent());
    expect(requests[0]?.format).toBe('delta');
  });

  test('a schedule naming another pipeline is a terminal error and runs nothing', async () => {
    const { handler, requests } = setup();
    const error = await handler(scheduledEvent({ pipeline: 'customer-transactions' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).kind).toBe('terminal');
    expect((error as Error).message).toMatch(/names pipeline customer-transactions, but this function runs ecommerce/);
    expect(requests).toEqual([]);
  });
});

describe('S3 Object Created events', () => {
  test('<raw prefix>/orders/2025-04-01.csv runs the pipeline for dataset orders', async () => {
    const { handler, requests } = setup();
    const result = await handler(objectCreated('ecommerce/orders/2025-04-01.csv'));
    expect(requests).toEqual([{ ...FROM_ENV, prefix: 'orders/', trigger: 's3' }]);
    expect(result).toEqual({ outcome: 'succeeded', pipeline: 'ecommerce', runId: 'run-1', trigger: 's3', prefix: 'orders/' });
  });

  test.each([
    ['ecommerce/order_items/2025-04-01.csv.gz', 'order_items/'],
    ['ecommerce/products/batch-7/products.CSV', 'products/'],
  ])('%s runs for %s', async (key, prefix) => {
    const { handler, requests } = setup();
    await handler(objectCreated(key));
    expect(requests.map((r) => r.prefix)).toEqual([prefix]);
  });

  test('without DATASETS any dataset folder triggers, but not archived/ or _hidden folders', async () => {
    const { handler, requests } = setup({ ...ENV, DATASETS: undefined });
    await handler(objectCreated('ecommerce/returns/2025-04-01.csv'));
    expect((await handler(objectCreated('ecommerce/archived/2025-04-02/orders/a.csv'))).outcome).toBe('ignored');
    expect((await handler(objectCreated('ecommerce/_staging/a.csv'))).outcome).toBe('ignored');
    expect(requests.map((r) => r.prefix)).toEqual(['returns/']);
  });

  test.each([
    ['an archived file', 'ecommerce/archived/2025-04-02/orders/2025-04-01.csv', /archived file/],
    ['a non-CSV file', 'ecommerce/orders/2025-04-01.json', /not a \.csv or \.csv\.gz file/],
    ['a folder marker', 'ecommerce/orders/', /not a \.csv or \.csv\.gz file/],
    ['a file at the raw root', 'ecommerce/loose.csv', /not inside a dataset folder/],
    ['a folder that is not a dataset', 'ecommerce/returns/2025-04-01.csv', /folder returns is not a dataset of this pipeline/],
    ['a key outside the raw zone', 'other-pipeline/orders/2025-04-01.csv', /outside the raw zone/],
    ['a key that only shares a name prefix', 'ecommerce-old/orders/2025-04-01.csv', /outside the raw zone/],
  ])('%s is ignored without a run', async (_what, key, reason) => {
    const { handler, requests, logs } = setup();
    const result = await handler(objectCreated(key));
    expect(result.outcome).toBe('ignored');
    expect(result.outcome === 'ignored' && result.reason).toMatch(reason);
    expect(requests).toEqual([]);
    expect(logs).toEqual([expect.objectContaining({ level: 'info', msg: 'event ignored', key })]);
  });

  test('an object in another bucket is ignored', async () => {
    const { handler, requests } = setup();
    const result = await handler(objectCreated('ecommerce/orders/2025-04-01.csv', 'someone-elses-bucket'));
    expect(result).toEqual({ outcome: 'ignored', reason: 'bucket someone-elses-bucket is not the raw bucket lake-raw' });
    expect(requests).toEqual([]);
  });
});

describe('unknown event shapes are terminal errors (they land in the DLQ)', () => {
  const created = objectCreated('ecommerce/orders/2025-04-01.csv');
  test.each([
    ['null', null, /not an EventBridge event/],
    ['a string', 'run please', /not an EventBridge event/],
    ['an empty object', {}, /not an EventBridge event \(source: /],
    ['an SQS batch', { Records: [{ body: '{}' }] }, /not an EventBridge event/],
    ['an S3 Object Deleted event', { ...created, 'detail-type': 'Object Deleted' }, /unsupported event: detail-type "Object Deleted" from "aws.s3"/],
    ['an Object Created event with no key', { ...created, detail: { bucket: { name: 'lake-raw' }, object: {} } }, /invalid Object Created event from aws\.s3: detail\.object\.key/],
    ['an Object Created event from another source', { ...created, source: 'custom.app' }, /invalid Object Created event from custom\.app: source/],
    ['a schedule with an unknown detail field', scheduledEvent({ pipeline: 'ecommerce', dryRun: true }), /invalid Scheduled Event from aws\.events: detail/],
    ['a schedule with a malformed pipeline name', scheduledEvent({ pipeline: 'Ecommerce!' }), /detail\.pipeline/],
  ])('%s', async (_what, event, message) => {
    const { handler, requests } = setup();
    const error = await handler(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toBeInstanceOf(LakehouseError);
    expect((error as InvalidEventError).kind).toBe('terminal');
    expect((error as InvalidEventError).code).toBe('invalid_event');
    expect((error as Error).message).toMatch(message);
    expect(requests).toEqual([]);
  });
});

describe('configuration from the environment', () => {
  test.each([
    ['RAW_URI', undefined, /environment variable RAW_URI: is not set/],
    ['RAW_URI', '', /environment variable RAW_URI: is not set/],
    ['RAW_URI', '/data/raw', /environment variable RAW_URI: expected an s3:\/\/bucket\[\/prefix\] URI \(got "\/data\/raw"\)/],
    ['WAREHOUSE_URI', 's3://', /environment variable WAREHOUSE_URI: expected an s3:/],
    ['FORMAT', 'parquet', /environment variable FORMAT: .*\(got "parquet"\)/],
    ['GLUE_DATABASE', 'E-Commerce', /environment variable GLUE_DATABASE: lower-case letters, digits and _/],
    ['ATHENA_WORKGROUP', undefined, /environment variable ATHENA_WORKGROUP: is not set/],
    ['ATHENA_OUTPUT', 'https://example.com/results', /environment variable ATHENA_OUTPUT: expected an s3:/],
    ['PIPELINE', undefined, /environment variable PIPELINE: is not set/],
    ['DATASETS', 'orders,Order Items', /environment variable DATASETS: dataset names are lower-case/],
    ['DATASETS', ' , ', /environment variable DATASETS: lists no dataset/],
    ['RATES', 'USD:1.5', /environment variable RATES: RATES: "USD:1.5" is not CODE=rate/],
    ['RATES', 'USD=1.5,EUR=0.123456', /environment variable RATES: RATES: currency EUR: rate 0.123456 must have at most 4 decimal places/],
  ])('%s=%j is a terminal LambdaConfigError naming the variable, before any run', async (variable, value, message) => {
    const { handler, requests } = setup({ ...ENV, [variable]: value });
    const error = await handler(scheduledEvent()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaConfigError);
    expect((error as LambdaConfigError).variable).toBe(variable);
    expect((error as LambdaConfigError).kind).toBe('terminal');
    expect((error as Error).message).toMatch(message);
    expect(requests).toEqual([]);
  });

  test('a bad environment fails even for events that would be ignored', async () => {
    const { handler } = setup({ ...ENV, WAREHOUSE_URI: undefined });
    await expect(handler(objectCreated('ecommerce/orders/notes.txt'))).rejects.toThrow(/WAREHOUSE_URI/);
  });

  test('RATES is the rate table every run request carries', async () => {
    expect(loadLambdaConfig({ ...ENV, RATES: 'USD=1.5, AUD=1,EUR=1.65' }).rates).toEqual({ USD: 1.5, AUD: 1, EUR: 1.65 });
    expect(loadLambdaConfig(ENV).rates).toBeUndefined();
    const { handler, requests } = setup({ ...ENV, RATES: 'EUR=2' });
    await handler(scheduledEvent());
    expect(requests[0]!.rates).toEqual({ EUR: 2 });
  });

  test('loadLambdaConfig parses the list of datasets and trims names', () => {
    expect(loadLambdaConfig({ ...ENV, DATASETS: ' orders , products ' }).datasets).toEqual(['orders', 'products']);
    expect(loadLambdaConfig({ ...ENV, DATASETS: undefined }).datasets).toBeUndefined();
  });
});

describe('failed runs throw, so Lambda retries and then dead-letters the event', () => {
  test('a run that reports failure throws a transient PipelineRunFailedError naming the run', async () => {
    const { handler, requests, logs } = setup(ENV, 'failed');
    const error = await handler(objectCreated('ecommerce/orders/2025-04-01.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineRunFailedError);
    expect((error as PipelineRunFailedError).kind).toBe('transient');
    expect((error as PipelineRunFailedError).runId).toBe('run-1');
    expect((error as Error).message).toBe('pipeline ecommerce run run-1 failed');
    expect(requests).toHaveLength(1);
    expect(logs.at(-1)).toEqual(expect.objectContaining({ level: 'error', msg: 'run failed', runId: 'run-1' }));
  });

  test('the runner’s reason for a failure is in the error', async () => {
    const handler = createHandler({
      runPipeline: async () => ({ status: 'failed', runId: 'r9', error: { code: 'foreign_key', message: '3 order_items name unknown orders' } }),
      env: ENV,
      log: () => undefined,
    });
    await expect(handler(scheduledEvent())).rejects.toThrow('pipeline ecommerce run r9 failed: foreign_key: 3 order_items name unknown orders');
  });

  test('a runner that throws propagates its error unchanged', async () => {
    const boom = new Error('glue is down');
    const handler = createHandler({ runPipeline: async () => Promise.reject(boom), env: ENV, log: () => undefined });
    await expect(handler(scheduledEvent())).rejects.toBe(boom);
  });
});

describe('concurrent invocations', () => {
  test('share no state: each invocation gets its own request and result, whatever the completion order', async () => {
    const seen: RunPipelineRequest[] = [];
    const runPipeline = async (request: RunPipelineRequest): Promise<RunPipelineResult> => {
      seen.push(request);
      // Finish in reverse order of arrival.
      await new Promise((resolve) => setTimeout(resolve, 40 - seen.length * 10));
      return { status: 'succeeded', runId: `run-${request.prefix ?? 'all'}` };
    };
    const handler = createHandler({ runPipeline, env: ENV, log: () => undefined });
    const results = await Promise.all([
      handler(objectCreated('ecommerce/orders/a.csv')),
      handler(objectCreated('ecommerce/products/b.csv')),
      handler(scheduledEvent({ pipeline: 'ecommerce' })),
      handler(objectCreated('ecommerce/order_items/c.csv')),
    ]);
    expect(results.map((r) => r.outcome === 'succeeded' && r.runId)).toEqual(['run-orders/', 'run-products/', 'run-all', 'run-order_items/']);
    expect(seen.map((r) => r.trigger)).toEqual(['s3', 's3', 'schedule', 's3']);
  });

  test('read the environment per invocation (no configuration cached between calls)', async () => {
    const env: Record<string, string | undefined> = { ...ENV };
    const { handler, requests } = setup(env);
    await handler(scheduledEvent());
    env.FORMAT = 'iceberg';
    await handler(scheduledEvent());
    expect(requests.map((r) => r.format)).toEqual(['delta', 'iceberg']);
  });
});

test('the default log sink writes one JSON line per entry to stdout', async () => {
  const writes: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const handler = createHandler({ runPipeline: recordingRunner().run, env: ENV });
    await handler(objectCreated('ecommerce/orders/readme.md'));
  } finally {
    process.stdout.write = original;
  }
  expect(writes).toHaveLength(1);
  expect(JSON.parse(writes[0]!)).toEqual(expect.objectContaining({ level: 'info', msg: 'event ignored', pipeline: 'ecommerce' }));
});
