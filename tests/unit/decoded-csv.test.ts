/**
 * `openDecodedCsv`: the worker thread gives exactly what `openCsv` + `decodeBatch` give (rows, lines,
 * malformed rows, decoded values) on the shared order_items file and on crafted edge cases, raises the
 * same errors at the same points, stays a bounded number of batches ahead, and stops its thread when the
 * loop stops early.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bytesSource, CsvFormatError, fileSource, openCsv, type CsvBatch, type CsvOptions } from '../../validation/csv/index.js';
import { LocalFileSource } from '../../validation/csv/local-file-source.js';
import { bool, date, decimal, float64, int32, int64, string, timestamp, type ColumnSpec } from '../../validation/column.js';
import { orderItems } from '../../validation/contracts/ecommerce.js';
import { decodeBatch, type DecodedBatch } from '../../validation/decoded-batch.js';
import { CSV_WORKER_MIN_BYTES, csvWorkerSetting, openDecodedCsv } from '../../validation/decoded-csv.js';
import type { DecodePlan, DecodeThread } from '../../validation/decoded-csv-reader.js';
import { liveDecodeWorkers, stopIdleDecodeWorker } from '../../validation/decode-worker-pool.js';
import { matchHeader } from '../../validation/header-check.js';
import { emptyFingerprint, fingerprinted } from '../../validation/input-fingerprint.js';
import { UsageError } from '../../etl/errors.js';

const SHARED = join(process.cwd(), '..', 'shared', 'data', 'ecommerce', 'order_items.csv');
const dir = mkdtempSync(join(tmpdir(), 'decoded-csv-'));
afterAll(async () => {
  await stopIdleDecodeWorker();
  rmSync(dir, { recursive: true, force: true });
});

/** Typed arrays as `Type:base64` strings: plain data for `toEqual`. */
function snapshot(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const tag = (value as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
    return `${tag}:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}`;
  }
  if (Array.isArray(value)) return value.map(snapshot);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)]));
  }
  return value;
}

/** A batch and its decoded columns as plain data (`decoded.csv` is left out: it is checked to be the batch itself). */
function snapshotBatch(csv: CsvBatch, decoded: DecodedBatch | undefined): unknown {
  return { csv: snapshot(csv), decoded: decoded === undefined ? undefined : snapshot({ ...decoded, csv: undefined }) };
}

interface Read {
  header: string[] | undefined;
  headerLine: number;
  batches: unknown[];
  threaded?: boolean;
}

/** What `openCsv` + `decodeBatch` give (batches not reused). */
async function reference(source: AsyncIterable<Uint8Array>, options: CsvOptions, plan: (h: string[]) => DecodePlan | undefined): Promise<Read> {
  const reader = await openCsv(source, options);
  const p = reader.header === undefined ? undefined : plan(reader.header);
  const batches: unknown[] = [];
  for await (const csv of reader) batches.push(snapshotBatch(csv, p === undefined ? undefined : decodeBatch(csv, p.specs, p.fields)));
  return { header: reader.header, headerLine: reader.headerLine, batches };
}

/** What `openDecodedCsv` gives, each batch taken before the next is asked for. */
async function decodedRead(source: AsyncIterable<Uint8Array>, options: CsvOptions & { thread: DecodeThread }, plan: (h: string[]) => DecodePlan | undefined): Promise<Read> {
  const reader = await openDecodedCsv(source, { ...options, plan });
  const batches: unknown[] = [];
  for await (const { csv, decoded } of reader) {
    if (decoded !== undefined) expect(decoded.csv).toBe(csv);
    batches.push(snapshotBatch(csv, decoded));
  }
  return { header: reader.header, headerLine: reader.headerLine, batches, threaded: reader.threaded };
}

/** A plan decoding the named columns as given, or undefined when the header does not name them. */
function planOf(columns: Record<string, ColumnSpec>): (header: string[]) => DecodePlan | undefined {
  return (header) => {
    const match = matchHeader(header, Object.keys(columns));
    return match.ok ? { specs: Object.values(columns), fields: match.fields } : undefined;
  };
}

const orderItemsPlan = planOf(Object.fromEntries(orderItems.columns.map((c) => [c.name, c.spec])));

describe('openDecodedCsv on the shared order_items file', () => {
  const file = join(dir, 'order_items.csv');
  const have = existsSync(SHARED);
  beforeAll(() => {
    if (have) copyFileSync(SHARED, file);
  });

  (have ? it : it.skip)('gives the batches of openCsv + decodeBatch, read by the worker or posted to it', async () => {
    const options = { ...orderItems.csv, batchRows: 4096 };
    const expected = await reference(fileSource(file), options, orderItemsPlan);
    expect(expected.batches.length).toBeGreaterThan(5);
    const fromFile = await decodedRead(new LocalFileSource(file), { ...options, thread: 'worker' }, orderItemsPlan);
    const posted = await decodedRead(fileSource(file, 100_000), { ...options, thread: 'worker' }, orderItemsPlan);
    const inThread = await decodedRead(fileSource(file), { ...options, thread: 'main' }, orderItemsPlan);
    expect(fromFile).toEqual({ ...expected, threaded: true });
    expect(posted).toEqual({ ...expected, threaded: true });
    expect(inThread).toEqual({ ...expected, threaded: false });
  });

  (have ? it : it.skip)('takes the same fingerprint as fingerprinted, whichever thread reads the file', async () => {
    const expected = emptyFingerprint();
    for await (const chunk of fingerprinted(fileSource(file), expected)) void chunk;
    for (const [thread, source] of [['worker', new LocalFileSource(file)], ['worker', fileSource(file)], ['main', new LocalFileSource(file)]] as const) {
      const fingerprint = emptyFingerprint();
      const reader = await openDecodedCsv(source, { ...orderItems.csv, thread, fingerprint, plan: orderItemsPlan });
      for await (const batch of reader) void batch;
      expect(fingerprint).toEqual(expected);
    }
  });
});

/** Every column kind, with the edge cases of the tokenizer in the rows. */
const EDGE_COLUMNS = {
  id: int32(),
  big: int64(),
  price: decimal(10, 2),
  ratio: float64(),
  flag: bool(),
  day: date(),
  at: timestamp(),
  note: string(),
  kind: string().lowCardinality(),
};
const EDGE_HEADER = '\uFEFFid,big,price,ratio,flag,day,at,note,kind\r\n';
const EDGE_ROWS = [
  '1,9007199254740993,12.50,1.5,true,2025-04-01,2025-04-01T10:00:00,plain,a',
  '',
  '2,-1,-0.01,1e3,false,2024-02-29,2025-04-01 23:59:59.123456,"quoted, with comma",b',
  '3,,,,,,,"multi\nline ""quoted"" text",a\r',
  '4,x,1.234,abc,maybe,2025-02-30,2025-13-01T00:00:00,"",""',
  '5,1,1,1,1,2025-04-01,2025-04-01T00:00:00,too,many,fields',
  '6,1,1,1,1,2025-04-01,2025-04-01T00:00:00,short',
  '7,1,1,1,1,2025-04-01,2025-04-01T00:00:00,bad"quote,a',
  '8,1,1,1,1,2025-04-01,2025-04-01T00:00:00,"closed"x,a',
  '9,1,1,1,1,2025-04-01,2025-04-01T00:00:00,caf\u00e9 \u{1F600},\u00fc',
  '10,1,1,1,1,2025-04-01,2025-04-01T00:00:00,\u0000bad-utf8-here,a',
  '11,1,1,1,1,2025-04-01,2025-04-01T00:00:00,"last',
];
/** The edge-case file: BOM, CRLF, blank lines, quotes, malformed rows, invalid UTF-8 (a lone 0xff), an unclosed quote at the end. */
function edgeBytes(): Uint8Array {
  const bytes = Buffer.from(EDGE_HEADER + EDGE_ROWS.join('\n') + '\n', 'utf8');
  bytes[bytes.indexOf(0)] = 0xff;
  return bytes;
}
const edgePlan = planOf(EDGE_COLUMNS);

describe('openDecodedCsv on crafted inputs', () => {
  it('matches openCsv + decodeBatch on every edge case, whatever the chunking and batch size', async () => {
    const data = edgeBytes();
    for (const batchRows of [1, 3, 65_536]) {
      const expected = await reference(bytesSource(data), { batchRows }, edgePlan);
      expect(expected.batches.length).toBeGreaterThan(0);
      for (const chunk of [1, 7, 1 << 20]) {
        expect(await decodedRead(bytesSource(data, chunk), { batchRows, thread: 'worker' }, edgePlan)).toEqual({ ...expected, threaded: true });
      }
    }
    const flat = (await reference(bytesSource(data), {}, edgePlan)).batches[0] as { csv: { malformed: { reason: string }[]; rowCount: number } };
    expect(flat.csv.malformed.map((m) => m.reason)).toEqual([
      'expected 9 fields, found 10',
      'expected 9 fields, found 8',
      'quote inside an unquoted field',
      'unexpected character after closing quote',
      expect.stringMatching(/^invalid UTF-8 at byte \d+$/),
      'unclosed quote opened on line 14 runs to the end of the file',
    ]);
    expect(flat.csv.rowCount).toBe(5);
  });

  it('matches on another dialect (pipe, null token), with nothing decoded when the plan says so', async () => {
    const text = 'a|b\n1|NULL\n"2|x"|\nNULL|3\n';
    const options = { delimiter: '|', nullToken: 'NULL' };
    for (const plan of [planOf({ a: string(), b: int32() }), () => undefined]) {
      const expected = await reference(bytesSource(text), options, plan);
      expect(await decodedRead(bytesSource(text, 3), { ...options, thread: 'worker' }, plan)).toEqual({ ...expected, threaded: true });
    }
  });

  it('matches on gzip input, posted or read by the worker', async () => {
    const data = gzipSync(edgeBytes());
    const file = join(dir, 'edge.csv.gz');
    writeFileSync(file, data);
    const expected = await reference(bytesSource(data), { batchRows: 2 }, edgePlan);
    expect(await decodedRead(bytesSource(data, 5), { batchRows: 2, thread: 'worker' }, edgePlan)).toEqual({ ...expected, threaded: true });
    expect(await decodedRead(new LocalFileSource(file), { batchRows: 2, thread: 'worker' }, edgePlan)).toEqual({ ...expected, threaded: true });
  });

  it('matches on inputs without data rows', async () => {
    for (const text of ['', '\n\r\n\n', 'a,b\n', 'a,b']) {
      const expected = await reference(bytesSource(text), {}, planOf({ a: int32(), b: int32() }));
      expect(await decodedRead(bytesSource(text), { thread: 'worker' }, planOf({ a: int32(), b: int32() }))).toEqual({ ...expected, threaded: true });
    }
  });
});

/** The error `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Reads every batch, counting rows; rejects with the reader's error. */
async function drain(reader: AsyncIterable<{ csv: { rowCount: number } }>, rows: { n: number }): Promise<void> {
  for await (const { csv } of reader) rows.n += csv.rowCount;
}

describe('openDecodedCsv errors', () => {
  afterEach(async () => {
    await stopIdleDecodeWorker();
    expect(liveDecodeWorkers()).toBe(0);
  });

  it('throws the CsvFormatError of openCsv at open for a malformed header', async () => {
    let planned = 0;
    const plan = (): undefined => void planned++;
    for (const bytes of [Buffer.from('a,"b\n1,2\n'), Buffer.from('a,b"c\n1,2\n'), Buffer.from([0x61, 0x2c, 0xff, 0x0a, 0x31, 0x2c, 0x32, 0x0a])]) {
      const expected = await failure(openCsv(bytesSource(bytes)));
      expect(expected).toBeInstanceOf(CsvFormatError);
      for (const thread of ['worker', 'main'] as const) {
        const err = await failure(openDecodedCsv(bytesSource(bytes, 2), { thread, plan }));
        expect(err).toBeInstanceOf(CsvFormatError);
        expect((err as Error).message).toBe((expected as Error).message);
      }
    }
    expect(planned).toBe(0);
  });

  it('throws a corrupt gzip stream while iterating, after some rows, with zlib’s code as the cause', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},${(i * 7919) % 100_003}`).join('\n');
    const data = gzipSync(Buffer.from(`a,b\n${rows}\n`));
    data.fill(0x55, data.length >> 1, (data.length >> 1) + 64);
    const plan = planOf({ a: int32(), b: int32() });
    const expectedRows = { n: 0 };
    const reader = await openCsv(bytesSource(data, 4096), { batchRows: 1000 });
    const expected = await failure(drain((async function* () {
      for await (const csv of reader) yield { csv };
    })(), expectedRows));
    expect(expected).toBeInstanceOf(CsvFormatError);
    for (const thread of ['worker', 'main'] as const) {
      const got = { n: 0 };
      const decoded = await openDecodedCsv(bytesSource(data, 4096), { batchRows: 1000, thread, plan });
      const err = await failure(drain(decoded, got));
      expect(err).toBeInstanceOf(CsvFormatError);
      expect((err as Error).message).toBe((expected as Error).message);
      expect(((err as Error).cause as { code?: string }).code).toBe(((expected as Error).cause as { code?: string }).code);
      // How much zlib inflated before it noticed the damage depends on how its asynchronous writes
      // were timed (it varies between runs of either reader): a prefix of the rows, never the rest.
      // Validation turns the error into an InputFileError that fails the run, so these rows never reach a table.
      expect(got.n).toBeGreaterThan(0);
      expect(got.n).toBeLessThan(60_000);
      expect(expectedRows.n).toBeLessThan(60_000);
    }
  });

  it('rethrows the source’s own read error, at open or while iterating', async () => {
    const boom = new Error('disk on fire');
    async function* failing(after: string): AsyncGenerator<Uint8Array> {
      yield Buffer.from(after);
      throw boom;
    }
    for (const thread of ['worker', 'main'] as const) {
      expect(await failure(openDecodedCsv(failing('a,b'), { thread, plan: () => undefined }))).toBe(boom);
      const reader = await openDecodedCsv(failing('a,b\n1,2\n'), { thread, plan: () => undefined });
      expect(await failure(drain(reader, { n: 0 }))).toBe(boom);
    }
  });

  it('reports a missing file read by the worker as openCsv reports it', async () => {
    const path = join(dir, 'missing.csv');
    const expected = (await failure(openCsv(fileSource(path)))) as NodeJS.ErrnoException;
    const err = (await failure(openDecodedCsv(new LocalFileSource(path), { thread: 'worker', plan: () => undefined }))) as NodeJS.ErrnoException;
    expect(err.message).toBe(expected.message);
    expect({ code: err.code, errno: err.errno, syscall: err.syscall, path: err.path }).toEqual({ code: 'ENOENT', errno: expected.errno, syscall: expected.syscall, path });
  });

  it('throws what plan throws, and UsageError for bad options before reading anything', async () => {
    const bad = new Error('no plan');
    for (const thread of ['worker', 'main'] as const) {
      expect(await failure(openDecodedCsv(bytesSource('a,b\n1,2\n'), { thread, plan: () => { throw bad; } }))).toBe(bad);
      let pulled = false;
      const source = (async function* () {
        pulled = true;
        yield Buffer.from('a\n');
      })();
      expect(await failure(openDecodedCsv(source, { thread, delimiter: ',,', plan: () => undefined }))).toBeInstanceOf(UsageError);
      expect(pulled).toBe(false);
    }
  });

  it('can be iterated only once', async () => {
    for (const thread of ['worker', 'main'] as const) {
      const reader = await openDecodedCsv(bytesSource('a\n1\n'), { thread, plan: () => undefined });
      for await (const batch of reader) void batch;
      expect(() => reader[Symbol.asyncIterator]()).toThrow(UsageError);
    }
  });
});

/** `rows` single-column rows of 10 bytes, one chunk each, counting the chunks pulled and noting when the source is released. */
function countedSource(rows: number): { source: AsyncGenerator<Uint8Array>; pulled: () => number; released: () => boolean } {
  let pulled = 0;
  let released = false;
  const source = (async function* () {
    try {
      yield Buffer.from('value\n');
      for (let i = 0; i < rows; i++) {
        pulled++;
        yield Buffer.from(`${String(i).padStart(9, '0')}\n`);
      }
    } finally {
      released = true;
    }
  })();
  return { source, pulled: () => pulled, released: () => released };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('openDecodedCsv worker lifecycle', () => {
  afterEach(async () => {
    await stopIdleDecodeWorker();
  });

  it('stays a few batches ahead of a slow consumer', async () => {
    const { source, pulled } = countedSource(10_000);
    const reader = await openDecodedCsv(source, { thread: 'worker', batchRows: 10, plan: planOf({ value: int32() }) });
    const it = reader[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    await sleep(300);
    // 3 batches in flight + 8 chunks posted + the tokenizer's current batch: far from the 10,000 rows.
    expect(pulled()).toBeLessThan(80);
    await it.return?.(undefined);
  });

  it('stops the worker and releases the source when the loop breaks early', async () => {
    const { source, released } = countedSource(10_000);
    const reader = await openDecodedCsv(source, { thread: 'worker', batchRows: 10, plan: planOf({ value: int32() }) });
    expect(liveDecodeWorkers()).toBe(1);
    for await (const { csv } of reader) {
      expect(csv.rowCount).toBe(10);
      break;
    }
    expect(liveDecodeWorkers()).toBe(0);
    expect(released()).toBe(true);
  });

  it('stops the worker and releases the source on close without iterating', async () => {
    for (const thread of ['worker', 'main'] as const) {
      const { source, released } = countedSource(10_000);
      const reader = await openDecodedCsv(source, { thread, batchRows: 10, plan: () => undefined });
      await reader.close();
      expect(released()).toBe(true);
      expect(liveDecodeWorkers()).toBe(0);
    }
  });

  it('stops the worker when the consumer throws, and keeps one idle worker for the next input after a full read', async () => {
    const { source } = countedSource(1000);
    const reader = await openDecodedCsv(source, { thread: 'worker', batchRows: 10, plan: () => undefined });
    const oops = new Error('consumer failed');
    await expect(
      (async () => {
        for await (const batch of reader) {
          void batch;
          throw oops;
        }
      })(),
    ).rejects.toBe(oops);
    expect(liveDecodeWorkers()).toBe(0);
    for (let i = 0; i < 3; i++) await decodedRead(bytesSource('a\n1\n'), { thread: 'worker' }, () => undefined);
    expect(liveDecodeWorkers()).toBe(1);
  });

  it('reads small inputs on the calling thread and large ones on the worker in auto mode', async () => {
    const file = join(dir, 'auto.csv');
    writeFileSync(file, 'a\n' + '1\n'.repeat(5000));
    const plan = planOf({ a: int32() });
    const open = async (source: AsyncIterable<Uint8Array>, workerMinBytes?: number): Promise<boolean> => {
      const reader = await openDecodedCsv(source, { plan, ...(workerMinBytes === undefined ? {} : { workerMinBytes }) });
      await reader.close();
      return reader.threaded;
    };
    const saved = process.env.LAKEHOUSE_CSV_WORKER;
    try {
      delete process.env.LAKEHOUSE_CSV_WORKER;
      expect(await open(new LocalFileSource(file))).toBe(false);
      expect(await open(new LocalFileSource(file), 1000)).toBe(true);
      expect(await open(fileSource(file))).toBe(false);
      expect(await open(fileSource(file, 100), 1000)).toBe(true);
      process.env.LAKEHOUSE_CSV_WORKER = '0';
      expect(await open(new LocalFileSource(file), 1000)).toBe(false);
      process.env.LAKEHOUSE_CSV_WORKER = '1';
      expect(await open(bytesSource('a\n1\n'))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.LAKEHOUSE_CSV_WORKER;
      else process.env.LAKEHOUSE_CSV_WORKER = saved;
    }
    expect(csvWorkerSetting({})).toBe('auto');
    expect(CSV_WORKER_MIN_BYTES).toBe(8 << 20);
  });
});
