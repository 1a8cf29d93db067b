/**
 * Restarts of Mechanism X and of Mechanism Y mid-stream: no chunk skipped or processed twice, no
 * detection repeated, every detection file holds exactly 50 but the last, and the detections table
 * matches the files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { openStore } from '../../etl/storage/open-store.js';
import { PatternState } from '../../pipelines/transaction-patterns/pattern-state.js';
import { openStateStore } from '../../pipelines/transaction-patterns/state-store.js';
import { runTransactionPatterns, type TransactionPatternsOptions } from '../../pipelines/transaction-patterns/transaction-patterns-run.js';
import { chunkRows, detectionFiles } from '../support/pattern-outputs.js';
import { tempDir } from '../support/stores.js';

const CUSTOMERS = 120;
const PER_CUSTOMER = 80;

/** 120 customers with 80 transactions of 10.00 each at one merchant, customer after customer: 120 CHILD detections spread over the chunks. */
function writeInput(dir: string): { source: string; importance: string; dataLines: string[] } {
  const dataLines: string[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    for (let k = 0; k < PER_CUSTOMER; k++) dataLines.push(`${k % 180},'C${1000 + c}','2','F','28007','M42','28007','es_contents',10.00,0`);
  }
  const source = join(dir, 'transactions.csv');
  writeFileSync(source, `step,customer,age,gender,zipcodeOri,merchant,zipMerchant,category,amount,fraud\n${dataLines.join('\n')}\n`);
  const importance = join(dir, 'CustomerImportance.csv');
  writeFileSync(importance, "Source,Target,Weight,typeTrans,fraud\n'C1000','M42',3.5,'es_contents',0\n");
  return { source, importance, dataLines };
}

function checkOutput(out: string, dataLines: string[]): void {
  expect(chunkRows(out)).toEqual(dataLines);
  const files = detectionFiles(out);
  expect(files.map((f) => f.lines.length)).toEqual([50, 50, 20]);
  const keys = files.flatMap((f) => f.lines.map((l) => `${l.patternId}|${l.MerchantId}|${l.customerName}`));
  expect(new Set(keys).size).toBe(CUSTOMERS);
  expect(keys.every((k) => k.startsWith('PatId2|M42|C'))).toBe(true);
}

async function tableCount(out: string): Promise<number> {
  const engine = await DuckDbEngine.open({ catalog: new EmbeddedCatalog(openStore(out)) });
  try {
    const r = await engine.query<{ n: number | bigint }>('SELECT count(DISTINCT customer_name) AS n FROM transaction_patterns.detections');
    return Number(r.rows[0]!.n);
  } finally {
    await engine.close();
  }
}

function options(dir: string, input: { source: string; importance: string }, extra: Partial<TransactionPatternsOptions> = {}): TransactionPatternsOptions {
  return { source: input.source, importance: input.importance, out: join(dir, 'out'), intervalMs: 0, chunkRows: 1000, ...extra };
}

test('Y stopped after 3 chunks resumes at chunk 3: every chunk processed once, no detection repeated', async () => {
  const dir = tempDir('tp-restart-y-');
  const input = writeInput(dir);
  const first = await runTransactionPatterns(options(dir, input, { maxDetectChunks: 3 }));
  expect(first.status).toBe('partial');
  expect(first.chunksProcessed).toBe(3);
  expect(first.ingest.done).toBe(true);
  expect(detectionFiles(join(dir, 'out')).map((f) => f.lines.length)).toEqual([]);
  const second = await runTransactionPatterns(options(dir, input));
  expect(second.status).toBe('succeeded');
  expect(second.chunksProcessed).toBe(Math.ceil((CUSTOMERS * PER_CUSTOMER) / 1000) - 3);
  expect(first.rowsProcessed + second.rowsProcessed).toBe(CUSTOMERS * PER_CUSTOMER);
  expect(first.detections + second.detections).toBe(CUSTOMERS);
  checkOutput(join(dir, 'out'), input.dataLines);
  // A third run finds nothing to do and writes nothing.
  const third = await runTransactionPatterns(options(dir, input));
  expect([third.chunksProcessed, third.detections, third.detectionFiles]).toEqual([0, 0, 0]);
  checkOutput(join(dir, 'out'), input.dataLines);
  expect(await tableCount(join(dir, 'out'))).toBe(CUSTOMERS);
});

test('X stopped after 4 chunks resumes at its recorded byte: no row skipped or repeated', async () => {
  const dir = tempDir('tp-restart-x-');
  const input = writeInput(dir);
  const first = await runTransactionPatterns(options(dir, input, { maxIngestChunks: 4 }));
  expect(first.status).toBe('partial');
  expect(first.ingest).toMatchObject({ nextChunk: 4, rows: 4000, done: false });
  expect(first.chunksProcessed).toBe(4);
  expect(chunkRows(join(dir, 'out'))).toEqual(input.dataLines.slice(0, 4000));
  const second = await runTransactionPatterns(options(dir, input));
  expect(second.status).toBe('succeeded');
  expect(second.ingest).toMatchObject({ nextChunk: 10, rows: 9600, done: true });
  expect(first.detections + second.detections).toBe(CUSTOMERS);
  checkOutput(join(dir, 'out'), input.dataLines);
});

test('a crash between writing a chunk and recording the position, and between a detection file and its record, repeats nothing', async () => {
  const dir = tempDir('tp-restart-crash-');
  const input = writeInput(dir);
  await runTransactionPatterns(options(dir, input, { maxIngestChunks: 6 }));
  const out = join(dir, 'out');
  const state = join(out, '_lakehouse', 'transaction-patterns', 'x-position.json');
  const position = JSON.parse(readFileSync(state, 'utf8'));
  // Roll X's position back one chunk, as if it died right after writing chunk 5.
  const rows5 = readFileSync(join(out, 'raw', 'transactions', 'chunk-0000000005.csv'), 'utf8').trim().split('\n').length - 1;
  const bytes5 = Buffer.byteLength(input.dataLines.slice(5000, 6000).join('\n') + '\n');
  writeFileSync(state, JSON.stringify({ ...position, nextChunk: 5, rows: position.rows - rows5, byteOffset: position.byteOffset - bytes5 }));
  const second = await runTransactionPatterns(options(dir, input));
  expect(second.status).toBe('succeeded');
  checkOutput(out, input.dataLines);
  // Roll the record of written detection files back to the first file, as if Y died right after writing the others.
  const db = await openStateStore(join(out, '_lakehouse', 'transaction-patterns', 'pglite'));
  await db.query('UPDATE tp_progress SET flushed_seq = 50');
  await db.close();
  const third = await runTransactionPatterns(options(dir, input));
  expect(third.detectionFiles).toBe(0);
  checkOutput(out, input.dataLines);
  expect(await tableCount(out)).toBe(CUSTOMERS);
});

test('a chunk missing in the sequence stops Y with a terminal error', async () => {
  const dir = tempDir('tp-gap-');
  const input = writeInput(dir);
  await runTransactionPatterns(options(dir, input, { maxIngestChunks: 2, maxDetectChunks: 1 }));
  const db = await openStateStore(join(dir, 'out', '_lakehouse', 'transaction-patterns', 'pglite'));
  try {
    const state = await PatternState.open(db);
    await expect(state.processChunk(5, { customer: ['C1'], gender: ['F'], merchant: ['M1'], amount: ['1.00'], rejected: 0 }, { detectedAtMs: 0, yStartMs: 0 })).rejects.toMatchObject({
      code: 'chunk_sequence',
      kind: 'terminal',
    });
    const again = await state.processChunk(0, { customer: ['C1'], gender: ['F'], merchant: ['M1'], amount: ['1.00'], rejected: 0 }, { detectedAtMs: 0, yStartMs: 0 });
    expect(again.processed).toBe(false);
    expect((await state.progress()).lastChunk).toBe(0);
  } finally {
    await db.close();
  }
});
