/**
 * Fault injection over real HTTP: a proxy in front of moto answers some Glue and Athena calls with
 * throttling and 5xx errors. The clients made by createGlueClient / createAthenaClient (adaptive
 * retry, AWS_MAX_ATTEMPTS) must retry them and succeed, and give up with a transient error once the
 * attempts are spent.
 */
import { randomBytes } from 'node:crypto';
import { GetDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
import { createAthenaClient } from '../../catalog/athena/athena-client.js';
import { AthenaEngine } from '../../catalog/athena/athena-engine.js';
import { AWS_MAX_ATTEMPTS } from '../../catalog/aws-client-config.js';
import { TransientServiceError } from '../../catalog/errors.js';
import { createGlueClient } from '../../catalog/glue/glue-client.js';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';

let proxy: FaultProxy;
beforeAll(async () => {
  proxy = await startFaultProxy();
});
afterAll(async () => {
  await proxy.close();
});

const THROTTLED = { status: 400, code: 'ThrottlingException' };
const UNAVAILABLE = { status: 503, code: 'ServiceUnavailableException' };
const INTERNAL = { status: 500, code: 'InternalServiceException' };

describe('Glue calls through a faulty network', () => {
  test('throttling and 5xx are retried until the call lands', async () => {
    const client = createGlueClient({ endpoint: proxy.endpoint });
    const catalog = new GlueCatalog({ client });
    const db = `faults_${randomBytes(4).toString('hex')}`;
    proxy.inject('AWSGlue.CreateDatabase', [UNAVAILABLE, THROTTLED, INTERNAL]);
    try {
      expect(await catalog.createDatabase(db)).toBe(true);
      expect(proxy.count('AWSGlue.CreateDatabase')).toBe(4);
      // It really landed in moto (read without the proxy).
      const direct = new GlueClient({});
      try {
        expect((await direct.send(new GetDatabaseCommand({ Name: db }))).Database?.Name).toBe(db);
      } finally {
        direct.destroy();
      }
    } finally {
      client.destroy();
    }
  });

  test(`after ${AWS_MAX_ATTEMPTS} failed attempts the error is a TransientServiceError`, async () => {
    const client = createGlueClient({ endpoint: proxy.endpoint });
    const catalog = new GlueCatalog({ client });
    const before = proxy.count('AWSGlue.GetDatabases');
    proxy.inject('AWSGlue.GetDatabases', Array.from({ length: AWS_MAX_ATTEMPTS }, () => UNAVAILABLE));
    try {
      const err = await catalog.listDatabases().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientServiceError);
      expect((err as TransientServiceError).transient).toBe(true);
      expect(proxy.count('AWSGlue.GetDatabases') - before).toBe(AWS_MAX_ATTEMPTS);
    } finally {
      client.destroy();
    }
  });
});

describe('Athena calls through a faulty network', () => {
  test('a throttled and failing start, poll and result fetch are retried and the query completes', async () => {
    const client = createAthenaClient({ endpoint: proxy.endpoint });
    const engine = new AthenaEngine({ client, outputLocation: 's3://athena-results/out/', pollInitialMs: 10, pollMaxMs: 50 });
    proxy.inject('AmazonAthena.StartQueryExecution', [{ status: 400, code: 'TooManyRequestsException' }, INTERNAL]);
    proxy.inject('AmazonAthena.GetQueryExecution', [UNAVAILABLE]);
    proxy.inject('AmazonAthena.GetQueryResults', [THROTTLED]);
    try {
      const result = await engine.query('SELECT 1');
      expect(result.stats.queryId).toBeTruthy();
      expect(proxy.count('AmazonAthena.StartQueryExecution')).toBe(3);
      expect(proxy.count('AmazonAthena.GetQueryExecution')).toBeGreaterThanOrEqual(2);
      expect(proxy.count('AmazonAthena.GetQueryResults')).toBe(2);
    } finally {
      await engine.close();
      client.destroy();
    }
  });
});
