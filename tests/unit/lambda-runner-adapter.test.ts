/** The adapter from the handler's request to the real runner's options (pipelines/aws/runner-adapter.ts). */
import type { AthenaEngineOptions } from '../../catalog/athena/athena-engine.js';
import type { Catalog } from '../../catalog/catalog.js';
import type { QueryEngine } from '../../catalog/query/query-engine.js';
import { UsageError } from '../../etl/errors.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { RunPipelineRequest } from '../../pipelines/aws/run-pipeline-port.js';
import { runnerFor, type RunnerParts } from '../../pipelines/aws/runner-adapter.js';
import { pipelineNamed } from '../../pipelines/registry.js';
import type { RunOptions } from '../../pipelines/runner/run-pipeline.js';
import type { RunSummary } from '../../pipelines/runner/run-summary.js';

const REQUEST: RunPipelineRequest = {
  pipeline: 'ecommerce',
  raw: 's3://lake-raw/ecommerce',
  warehouse: 's3://lake-processed/warehouse',
  format: 'iceberg',
  catalog: 'glue',
  engine: 'athena',
  trigger: 's3',
  prefix: 'orders/',
  database: 'ecommerce',
  workGroup: 'lakehouse-etl',
  outputLocation: 's3://lake-processed/athena-results/',
};

/** Fake parts that record what the adapter asked for. */
function fakeParts(outcome: Partial<RunSummary> | Error = {}) {
  const calls = { runs: [] as RunOptions[], stores: [] as string[], engines: [] as AthenaEngineOptions[], closed: 0 };
  const catalog = { kind: 'glue' } as unknown as Catalog;
  const parts: RunnerParts = {
    run: async (options) => {
      calls.runs.push(options);
      if (outcome instanceof Error) throw outcome;
      return { pipeline: options.pipeline.name, runId: 'run-7', status: 'succeeded', datasets: [], ...outcome } as RunSummary;
    },
    definitionOf: pipelineNamed,
    openStore: (uri) => {
      calls.stores.push(uri);
      return { uri } as unknown as ObjectStore;
    },
    openCatalog: () => catalog,
    openEngine: (options) => {
      calls.engines.push(options);
      return {
        close: async () => {
          calls.closed += 1;
        },
      } as unknown as QueryEngine;
    },
  };
  return { parts, calls, catalog };
}

test('an S3-triggered request runs the pipeline for its one dataset on S3, Glue and Athena', async () => {
  const { parts, calls, catalog } = fakeParts();
  expect(await runnerFor(parts)(REQUEST)).toEqual({ status: 'succeeded', runId: 'run-7' });
  expect(calls.stores).toEqual(['s3://lake-raw/ecommerce', 's3://lake-processed/warehouse']);
  expect(calls.engines).toEqual([{ workGroup: 'lakehouse-etl', outputLocation: 's3://lake-processed/athena-results/', database: 'ecommerce' }]);
  expect(calls.runs).toHaveLength(1);
  const options = calls.runs[0]!;
  expect(options.pipeline).toBe(pipelineNamed('ecommerce'));
  expect(options.datasets).toEqual(['orders']);
  expect(options.format).toBe('iceberg');
  expect(options.catalog).toBe(catalog);
  expect((options.raw as unknown as { uri: string }).uri).toBe('s3://lake-raw/ecommerce');
  expect((options.warehouse as unknown as { uri: string }).uri).toBe('s3://lake-processed/warehouse');
  expect(calls.closed).toBe(1);
});

test('a scheduled request runs every dataset', async () => {
  const { parts, calls } = fakeParts();
  const { prefix: _prefix, ...scheduled } = REQUEST;
  await runnerFor(parts)({ ...scheduled, trigger: 'schedule' });
  expect(calls.runs[0]).not.toHaveProperty('datasets');
});

test('a failed run is reported with its reason', async () => {
  const { parts } = fakeParts({ status: 'failed', error: { code: 'foreign_key', message: 'fail policy tripped' } });
  expect(await runnerFor(parts)(REQUEST)).toEqual({ status: 'failed', runId: 'run-7', error: { code: 'foreign_key', message: 'fail policy tripped' } });
});

test('the engine is closed when the runner throws', async () => {
  const { parts, calls } = fakeParts(new Error('socket hang up'));
  await expect(runnerFor(parts)(REQUEST)).rejects.toThrow('socket hang up');
  expect(calls.closed).toBe(1);
});

test.each([
  ['an unknown pipeline', { pipeline: 'nope' }, /unknown pipeline nope/],
  ['a Glue database that is not the pipeline’s', { database: 'sales' }, /GLUE_DATABASE is sales, but pipeline ecommerce writes to database ecommerce/],
  ['a prefix that is not one of its datasets', { prefix: 'returns/' }, /pipeline ecommerce has no dataset returns/],
  ['a prefix deeper than a dataset folder', { prefix: 'orders/2025/' }, /is not one dataset folder/],
])('%s is a terminal usage error, before anything is opened', async (_what, change, message) => {
  const { parts, calls } = fakeParts();
  const error = await runnerFor(parts)({ ...REQUEST, ...change }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).kind).toBe('terminal');
  expect((error as Error).message).toMatch(message);
  expect(calls).toEqual({ runs: [], stores: [], engines: [], closed: 0 });
});
