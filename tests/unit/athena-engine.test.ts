/**
 * The Athena engine's state machine against a mocked Athena (moto runs no SQL): QUEUED -> RUNNING ->
 * SUCCEEDED with paged, typed results; FAILED and CANCELLED as typed errors carrying Athena's
 * reason; throttling during start and polling retried; cancellation and the time limit stopping the
 * query. Parameter rendering for ExecutionParameters is checked here too.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
  type GetQueryExecutionOutput,
  type GetQueryResultsOutput,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError } from '../../etl/errors.js';
import { AthenaEngine } from '../../catalog/athena/athena-engine.js';
import { athenaLiteral, executionParameters } from '../../catalog/athena/athena-params.js';
import { QueryCancelledError, QueryFailedError, QueryTimeoutError, ServiceError } from '../../catalog/errors.js';

const ID = 'qid-123';

function state(State: string, extra: Record<string, unknown> = {}): GetQueryExecutionOutput {
  return {
    QueryExecution: {
      QueryExecutionId: ID,
      StatementType: 'DML',
      Status: { State: State as never, ...extra },
      Statistics: { DataScannedInBytes: 123_456, ResultReuseInformation: { ReusedPreviousResult: false } },
    },
  };
}

const COLUMNS = [
  { Name: 'name', Label: 'name', Type: 'varchar' },
  { Name: 'n', Label: 'n', Type: 'integer' },
  { Name: 'big', Label: 'big', Type: 'bigint' },
  { Name: 'amount', Label: 'amount', Type: 'double' },
  { Name: 'ok', Label: 'ok', Type: 'boolean' },
  { Name: 'day', Label: 'day', Type: 'date' },
  { Name: 'at', Label: 'at', Type: 'timestamp' },
  { Name: 'price', Label: 'price', Type: 'decimal', Precision: 12, Scale: 2 },
];

const cells = (...values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });

const PAGE1: GetQueryResultsOutput = {
  ResultSet: {
    ResultSetMetadata: { ColumnInfo: COLUMNS },
    Rows: [
      cells('name', 'n', 'big', 'amount', 'ok', 'day', 'at', 'price'),
      cells("O'Brien", '42', '9007199254740993', '1.5', 'true', '2025-04-01', '2025-04-01 10:30:00.123', '12.34'),
    ],
  },
  NextToken: 'page-2',
};
const PAGE2: GetQueryResultsOutput = {
  ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: [cells(undefined, '-1', '7', 'NaN', 'false', undefined, undefined, undefined)] },
};

describe('AthenaEngine (mocked Athena)', () => {
  const client = new AthenaClient({ region: 'us-east-1' });
  const athena = mockClient(client);
  const engine = new AthenaEngine({
    client,
    workGroup: 'analytics',
    outputLocation: 's3://results/athena/',
    database: 'ecommerce',
    pollInitialMs: 1,
    pollMaxMs: 4,
  });

  beforeEach(() => {
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(StopQueryExecutionCommand).resolves({});
  });
  afterAll(() => athena.restore());

  test('QUEUED -> RUNNING -> SUCCEEDED: the start request, paged typed rows and statistics', async () => {
    athena.on(GetQueryExecutionCommand).resolvesOnce(state('QUEUED')).resolvesOnce(state('RUNNING')).resolves(state('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolvesOnce(PAGE1).resolves(PAGE2);
    const result = await engine.query('SELECT * FROM ecommerce.orders WHERE name = ? AND n > ?', ["O'Brien", 3], {
      resultReuseMaxAgeMinutes: 60,
    });

    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({
      QueryString: 'SELECT * FROM ecommerce.orders WHERE name = ? AND n > ?',
      WorkGroup: 'analytics',
      ResultConfiguration: { OutputLocation: 's3://results/athena/' },
      QueryExecutionContext: { Database: 'ecommerce', Catalog: 'AwsDataCatalog' },
      ExecutionParameters: ["'O''Brien'", '3'],
      ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: 60 } },
    });
    expect(start.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    const pages = athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
    expect(pages.map((p) => p.NextToken)).toEqual([undefined, 'page-2']);
    expect(pages[0]!.MaxResults).toBe(1000);

    expect(result.columns.map((c) => c.name)).toEqual(COLUMNS.map((c) => c.Name));
    expect(result.columns[2]).toEqual({ name: 'big', type: 'bigint' });
    expect(result.rows).toEqual([
      { name: "O'Brien", n: 42, big: 9007199254740993n, amount: 1.5, ok: true, day: '2025-04-01', at: new Date('2025-04-01T10:30:00.123Z'), price: 12.34 },
      { name: null, n: -1, big: 7, amount: Number.NaN, ok: false, day: null, at: null, price: null },
    ]);
    expect(result.stats).toMatchObject({ rows: 2, bytesScanned: 123_456, queryId: ID, reusedResult: false });
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(0);
  });

  test('no parameters and no reuse: neither field is sent', async () => {
    athena.on(GetQueryExecutionCommand).resolves(state('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    await engine.query('SELECT 1');
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.ExecutionParameters).toBeUndefined();
    expect(start.ResultReuseConfiguration).toBeUndefined();
  });

  test('FAILED becomes QueryFailedError with Athena\'s reason (transient when Athena says retryable)', async () => {
    athena.on(GetQueryExecutionCommand).resolvesOnce(state('RUNNING')).resolves(
      state('FAILED', { StateChangeReason: "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved", AthenaError: { ErrorCategory: 2, Retryable: false } }),
    );
    const err = await engine.query('SELECT x FROM t').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryFailedError);
    expect((err as QueryFailedError).reason).toBe("SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved");
    expect((err as QueryFailedError).queryId).toBe(ID);
    expect((err as QueryFailedError).kind).toBe('terminal');
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);

    athena.on(GetQueryExecutionCommand).resolves(state('FAILED', { StateChangeReason: 'Internal error', AthenaError: { ErrorCategory: 1, Retryable: true } }));
    const retryable = await engine.query('SELECT 1').catch((e: unknown) => e);
    expect((retryable as QueryFailedError).kind).toBe('transient');
  });

  test('CANCELLED (by someone else) becomes QueryCancelledError with the reason', async () => {
    athena.on(GetQueryExecutionCommand).resolvesOnce(state('QUEUED')).resolves(state('CANCELLED', { StateChangeReason: 'Query cancelled by user' }));
    const err = await engine.query('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryCancelledError);
    expect((err as QueryCancelledError).reason).toBe('Query cancelled by user');
    expect((err as QueryCancelledError).queryId).toBe(ID);
  });

  test('throttling of the start, the polls and the result pages is retried; the start keeps its request token', async () => {
    const throttled = () => new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    athena.on(StartQueryExecutionCommand).rejectsOnce(throttled()).resolves({ QueryExecutionId: ID });
    athena
      .on(GetQueryExecutionCommand)
      .rejectsOnce(throttled())
      .resolvesOnce(state('RUNNING'))
      .rejectsOnce(throttled())
      .resolves(state('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).rejectsOnce(throttled()).resolves(PAGE2);
    const result = await engine.query('SELECT 1');
    expect(result.rows).toHaveLength(1);
    const starts = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(starts).toHaveLength(2);
    expect(starts[0]).toBe(starts[1]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(4);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
  });

  test('a refused request is terminal and not retried', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new InvalidRequestException({ message: 'WorkGroup analytics is not found', $metadata: { httpStatusCode: 400 } }));
    const err = await engine.query('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as Error).message).toMatch(/WorkGroup analytics is not found/);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  test('aborting stops the running query with StopQueryExecution', async () => {
    athena.on(GetQueryExecutionCommand).resolves(state('RUNNING'));
    const controller = new AbortController();
    const pending = engine.query('SELECT 1', [], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user pressed ^C')), 20);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryCancelledError);
    expect((err as QueryCancelledError).reason).toBe('user pressed ^C');
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input.QueryExecutionId)).toEqual([ID]);
    // An already-aborted signal starts nothing.
    await expect(engine.query('SELECT 1', [], { signal: controller.signal })).rejects.toBeInstanceOf(QueryCancelledError);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  test('the time limit stops the query and raises QueryTimeoutError (transient)', async () => {
    athena.on(GetQueryExecutionCommand).resolves(state('RUNNING'));
    const started = Date.now();
    const err = await engine.query('SELECT 1', [], { timeoutMs: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryTimeoutError);
    expect((err as QueryTimeoutError).transient).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
    expect(athena.commandCalls(GetQueryExecutionCommand).length).toBeGreaterThan(3);
  });
});

describe('Athena ExecutionParameters', () => {
  test('values become Trino literals', () => {
    expect(executionParameters([])).toBeUndefined();
    expect(
      executionParameters(["it's", '', 42, -7, 1.5, 12345678901234567890n, true, false, null, new Date('2025-04-01T10:00:00.250Z')]),
    ).toEqual(["'it''s'", "''", '42', '-7', '1.5E+0', '12345678901234567890', 'true', 'false', 'NULL', "TIMESTAMP '2025-04-01 10:00:00.250'"]);
  });

  test('values Athena cannot take are a UsageError', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, new Date('nope'), { a: 1 } as never]) {
      expect(() => athenaLiteral(bad, 0)).toThrow(UsageError);
    }
  });
});
