/**
 * The pattern state on a real PostgreSQL server (`--postgres <url>`): a run stopped mid-stream and
 * resumed holds the input's totals exactly and detects the same as the embedded PGlite does.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { join } from 'node:path';
import pg from 'pg';
import { writeBankSim, type WrittenBankSim } from '../../pipelines/transaction-patterns/banksim-files.js';
import { runTransactionPatterns, type TransactionPatternsOptions } from '../../pipelines/transaction-patterns/transaction-patterns-run.js';
import { realServerWanted, startPostgresServer, type PostgresServer } from '../support/postgres-server.js';
import { detectionFiles } from '../support/pattern-outputs.js';
import { tempDir } from '../support/stores.js';

const serverTest = realServerWanted() ? test : test.skip;
let server: PostgresServer | undefined;
let dir: string;
let data: WrittenBankSim;

beforeAll(async () => {
  dir = tempDir('tp-postgres-');
  data = await writeBankSim(join(dir, 'data'), { rows: 130_000, seed: 11 });
  if (realServerWanted()) server = await startPostgresServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function options(out: string, extra: Partial<TransactionPatternsOptions> = {}): TransactionPatternsOptions {
  return { source: join(dir, 'data', 'transactions.csv'), importance: join(dir, 'data', 'CustomerImportance.csv'), out: join(dir, out), intervalMs: 0, ...extra };
}

function detections(out: string): { files: number[]; keys: string[] } {
  const files = detectionFiles(join(dir, out));
  return { files: files.map((f) => f.lines.length), keys: files.flatMap((f) => f.lines).map((l) => `${l.patternId}|${l.MerchantId}|${l.customerName}`) };
}

serverTest('a run on a PostgreSQL server, stopped after 4 chunks and resumed, matches the PGlite run and the input totals', async () => {
  const url = server!.url;
  const first = await runTransactionPatterns(options('out-pg', { postgres: url, maxDetectChunks: 4 }));
  expect(first).toMatchObject({ status: 'partial', chunksProcessed: 4 });
  const second = await runTransactionPatterns(options('out-pg', { postgres: url }));
  expect(second.status).toBe('succeeded');
  expect(first.rowsProcessed + second.rowsProcessed).toBe(data.rows);
  expect(first.chunksProcessed + second.chunksProcessed).toBe(Math.ceil(data.rows / 10_000));

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const progress = (await client.query('SELECT last_chunk, rows_processed::text AS rows FROM tp_progress')).rows;
    expect(progress).toEqual([{ last_chunk: Math.ceil(data.rows / 10_000) - 1, rows: String(data.rows) }]);
    const totals = (
      await client.query(
        `SELECT (SELECT sum(txn_count) FROM tp_customer_merchant)::text AS pairs, (SELECT sum(txn_count) FROM tp_merchants)::text AS merchants,
                (SELECT count(*) FROM tp_detections)::int AS detections`,
      )
    ).rows[0];
    expect(totals).toEqual({ pairs: String(data.rows), merchants: String(data.rows), detections: second.totalDetections });
  } finally {
    await client.end();
  }

  const embedded = await runTransactionPatterns(options('out-pglite'));
  expect(embedded.totalDetections).toBe(second.totalDetections);
  const onServer = detections('out-pg');
  const onPglite = detections('out-pglite');
  expect(new Set(onServer.keys).size).toBe(onServer.keys.length);
  expect([...onServer.keys].sort()).toEqual([...onPglite.keys].sort());
  expect(onServer.files.slice(0, -1).every((n) => n === 50)).toBe(true);
  expect(onServer.keys).toEqual(expect.arrayContaining([`PatId2|${data.planted.childMerchant}|${data.planted.childCustomer}`, `PatId3|${data.planted.deiMerchant}|`]));
  expect(onServer.keys.filter((k) => k.startsWith(`PatId1|${data.planted.upgradeMerchant}|`)).length).toBe(5);
}, 240_000);
