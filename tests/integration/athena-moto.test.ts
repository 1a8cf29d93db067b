/**
 * The Athena engine over real HTTP against moto: the request reaches the service with its
 * parameters, work group, database and output location, and a result set (queued through moto's
 * API, since moto runs no SQL) comes back paged and typed. Uses its own region, so the results
 * queue is not shared with other test files.
 */
import { AthenaClient, GetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { createAthenaClient } from '../../catalog/athena/athena-client.js';
import { AthenaEngine } from '../../catalog/athena/athena-engine.js';
import { ServiceError } from '../../catalog/errors.js';

const REGION = 'eu-west-3';

async function queueResults(rows: (string | null)[][], columns: { name: string; type: string }[]): Promise<void> {
  const body = {
    region: REGION,
    results: [
      {
        rows: rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        column_info: columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type, Nullable: 'UNKNOWN', CaseSensitive: false })),
      },
    ],
  };
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/static/athena/query-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
}

test('a parameterised query round trip: request fields and typed rows', async () => {
  const client = createAthenaClient({ region: REGION });
  const engine = new AthenaEngine({ client, database: 'ecommerce', outputLocation: 's3://athena-results/out/', pollInitialMs: 5, pageSize: 2 });
  const columns = [
    { name: 'date', type: 'date' },
    { name: 'orders', type: 'bigint' },
    { name: 'revenue', type: 'double' },
    { name: 'department', type: 'varchar' },
  ];
  await queueResults(
    [
      ['date', 'orders', 'revenue', 'department'],
      ['2025-04-01', '500', '130123.45', 'Books'],
      ['2025-04-02', '498', '129000.5', null],
    ],
    columns,
  );
  try {
    const result = await engine.query('SELECT * FROM ecommerce.daily WHERE "date" >= CAST(? AS DATE) AND department <> ?', ['2025-04-01', "Kids' toys"]);
    expect(result.columns).toEqual(columns);
    expect(result.rows).toEqual([
      { date: '2025-04-01', orders: 500, revenue: 130123.45, department: 'Books' },
      { date: '2025-04-02', orders: 498, revenue: 129000.5, department: null },
    ]);
    expect(result.stats.bytesScanned).toBe(0);
    const direct = new AthenaClient({ region: REGION });
    const seen = await direct.send(new GetQueryExecutionCommand({ QueryExecutionId: result.stats.queryId }));
    direct.destroy();
    expect(seen.QueryExecution).toMatchObject({
      ExecutionParameters: ["'2025-04-01'", "'Kids'' toys'"],
      WorkGroup: 'primary',
      QueryExecutionContext: { Database: 'ecommerce', Catalog: 'AwsDataCatalog' },
      ResultConfiguration: { OutputLocation: expect.stringMatching(/^s3:\/\/athena-results\/out\//) },
    });
  } finally {
    await engine.close();
  }
});

test('an unknown work group is a terminal ServiceError', async () => {
  const engine = new AthenaEngine({ client: createAthenaClient({ region: REGION }), workGroup: 'no-such-group', pollInitialMs: 5 });
  try {
    const err = await engine.query('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).kind).toBe('terminal');
  } finally {
    await engine.close();
  }
});
