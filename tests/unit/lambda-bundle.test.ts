/**
 * The Lambda bundle (pipelines/aws/bundle.ts): one ESM file for Node 20 with no DuckDB in it, its
 * WebAssembly side files, the CSV decode worker next to it, a valid ZIP whose size is reported, and a
 * bundle that loads and runs (decode worker included) in a folder with no node_modules anywhere above
 * it, as on Lambda.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLE_FILE, DECODE_WORKER_FILE, DUCKDB_STUB_MESSAGE, PGLITE_STUB_MESSAGE, bundleLambda, formatBytes, type BundleReport } from '../../pipelines/aws/bundle.js';
import { PYTHON } from '../support/python-venv.js';

const run = promisify(execFile);

/** Generous ceiling for the deployed (zipped) bundle; Lambda allows 50 MB for a direct upload. */
const MAX_ZIPPED_BYTES = 10 * 1024 * 1024;

/** Matches an import of DuckDB that survived bundling. */
const DUCKDB_IMPORT = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']@duckdb\//;

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lakehouse-lambda-bundle-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Run `script` (an ES module, written to a file in `cwd` as Lambda runs a file) with node in `cwd`, with `env` added; returns its stdout parsed as JSON. */
async function runNode(cwd: string, script: string, env: Record<string, string> = {}): Promise<unknown> {
  await writeFile(join(cwd, 'run-test.mjs'), script);
  const { stdout } = await run(process.execPath, ['run-test.mjs'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** Copy a bundle folder where no node_modules can be found above it. */
async function isolate(outdir: string, name: string): Promise<string> {
  const target = join(work, 'isolated', name);
  await cp(outdir, target, { recursive: true });
  return target;
}

/** Bundle an entry module made of `lines` (outside the repository, as the runner's dependencies are) into `<work>/<name>`. */
async function bundleEntry(name: string, lines: string[]): Promise<BundleReport> {
  const entry = join(work, `${name}-entry.ts`);
  await writeFile(entry, lines.join('\n'));
  return bundleLambda({ entry, outdir: join(work, name), zipFile: join(work, `${name}.zip`) });
}

describe('the Lambda entry bundle', () => {
  let report: BundleReport;

  beforeAll(async () => {
    report = await bundleLambda({ outdir: join(work, 'lambda') });
  });

  test('is one ESM file with no DuckDB module and no import of one', async () => {
    expect(report.files[0]).toBe(BUNDLE_FILE);
    expect(report.files).toEqual(expect.arrayContaining([DECODE_WORKER_FILE, 'package.json']));
    expect(JSON.parse(await readFile(join(report.outdir, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    expect(report.inputs).toContain('validation/decode-worker.ts');
    expect(report.inputs).toContain('pipelines/aws/lambda-entry.ts');
    expect(report.inputs).toContain('pipelines/aws/handler.ts');
    expect(report.inputs.filter((input) => /(^|\/)node_modules\/@duckdb\//.test(input))).toEqual([]);
    const code = await readFile(join(report.outdir, BUNDLE_FILE), 'utf8');
    expect(code).not.toMatch(DUCKDB_IMPORT);
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
  });

  test('serves PostgreSQL through pg; PGlite is left out (a stub), and so are its WASM and data files', async () => {
    expect(report.inputs.filter((input) => input.startsWith('node_modules/pg/')).length).toBeGreaterThan(0);
    expect(report.inputs.filter((input) => input.includes('node_modules/@electric-sql/pglite'))).toEqual([]);
    expect(report.inputs).toContain('pglite-excluded:@electric-sql/pglite');
    expect(report.files.filter((f) => /pglite/i.test(f))).toEqual([]);
    const code = await readFile(join(report.outdir, BUNDLE_FILE), 'utf8');
    expect(code).toContain(PGLITE_STUB_MESSAGE);
  });

  test(`is zipped under ${formatBytes(MAX_ZIPPED_BYTES)}, and the ZIP holds exactly the asset files`, async () => {
    expect(report.zippedBytes).toBe((await stat(report.zipFile)).size);
    expect(report.zippedBytes).toBeGreaterThan(1000);
    expect(report.zippedBytes).toBeLessThan(MAX_ZIPPED_BYTES);
    const check = [
      'import json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'bad = z.testzip()',
      'print(json.dumps({"bad": bad, "files": {i.filename: i.file_size for i in z.infolist()}}))',
    ].join('\n');
    const { stdout } = await run(PYTHON, ['-c', check, report.zipFile]);
    const listing = JSON.parse(stdout) as { bad: string | null; files: Record<string, number> };
    expect(listing.bad).toBeNull();
    const sizes = Object.fromEntries(await Promise.all(report.files.map(async (f) => [f, (await stat(join(report.outdir, f))).size] as const)));
    expect(listing.files).toEqual(sizes);
  });

  test('loads and handles an event in a folder with no node_modules, as on Lambda', async () => {
    const dir = await isolate(report.outdir, 'entry');
    const result = await runNode(
      dir,
      `const { handler } = await import('./${BUNDLE_FILE}');
       const event = { source: 'aws.s3', 'detail-type': 'Object Created',
         detail: { bucket: { name: 'lake-raw' }, object: { key: 'ecommerce/orders/notes.txt' } } };
       console.log(JSON.stringify(await handler(event)));`,
      {
        RAW_URI: 's3://lake-raw/ecommerce',
        WAREHOUSE_URI: 's3://lake-processed/warehouse',
        GLUE_DATABASE: 'ecommerce',
        ATHENA_WORKGROUP: 'lakehouse-etl',
        ATHENA_OUTPUT: 's3://lake-processed/athena-results/',
        PIPELINE: 'ecommerce',
      },
    );
    expect(result).toEqual({ outcome: 'ignored', reason: 'key ecommerce/orders/notes.txt is not a .csv or .csv.gz file' });
  });

  test('a stage event for a pipeline without stages fails with the error name the state machine matches on', async () => {
    const dir = await isolate(report.outdir, 'stage');
    const result = await runNode(
      dir,
      `const { handler } = await import('./${BUNDLE_FILE}');
       const outcome = await handler({ pipeline: 'ecommerce', stage: 'land', runId: 'exec-1' }).then(
         () => 'succeeded', (e) => ({ name: e.name, kind: e.kind, message: e.message }));
       console.log(JSON.stringify(outcome));`,
      {
        RAW_URI: 's3://lake-raw/ecommerce',
        WAREHOUSE_URI: 's3://lake-processed/warehouse',
        GLUE_DATABASE: 'ecommerce',
        ATHENA_WORKGROUP: 'lakehouse-etl',
        ATHENA_OUTPUT: 's3://lake-processed/athena-results/',
        PIPELINE: 'ecommerce',
      },
    );
    expect(result).toEqual({
      name: 'TerminalStageError',
      kind: 'terminal',
      message: 'stage land of ecommerce run exec-1 failed: usage: pipeline ecommerce has no stages: it runs in one invocation, not one stage at a time',
    });
  });
});

describe('bundling modules that need side files or DuckDB', () => {
  let report: BundleReport;

  beforeAll(async () => {
    // An entry outside the repository, like the runner's dependencies: parquet-wasm reads its
    // .wasm from __dirname at load time; DuckDB is only imported when asked for.
    report = await bundleEntry('fixture', [
      "import { Table, writeParquet } from 'parquet-wasm/node';",
      "import { tableFromArrays, tableToIPC } from 'apache-arrow';",
      'export function parquetMagic(): string {',
      '  const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]) });',
      "  const bytes = writeParquet(Table.fromIPCStream(tableToIPC(table, 'stream')));",
      '  return Buffer.from(bytes.slice(0, 4)).toString() + Buffer.from(bytes.slice(-4)).toString();',
      '}',
      'export async function openDuckDb(): Promise<unknown> {',
      "  return import('@duckdb/node-api');",
      '}',
    ]);
  });

  test('parquet-wasm’s .wasm ships next to the bundle and works there', async () => {
    expect(report.files).toEqual([BUNDLE_FILE, 'parquet_wasm_bg.wasm']);
    const dir = await isolate(report.outdir, 'fixture');
    const result = await runNode(dir, `const m = await import('./${BUNDLE_FILE}'); console.log(JSON.stringify(m.parquetMagic()));`);
    expect(result).toBe('PAR1PAR1');
  });

  test('an import of @duckdb/* becomes a stub that fails with a clear message, and no DuckDB code is bundled', async () => {
    expect(report.inputs.filter((input) => input.includes('@duckdb'))).toEqual(['duckdb-excluded:@duckdb/node-api']);
    const code = await readFile(join(report.outdir, BUNDLE_FILE), 'utf8');
    expect(code).not.toMatch(DUCKDB_IMPORT);
    const dir = await isolate(report.outdir, 'duckdb');
    const result = await runNode(
      dir,
      `const m = await import('./${BUNDLE_FILE}');
       console.log(JSON.stringify(await m.openDuckDb().then(() => 'loaded', (e) => e.message)));`,
    );
    expect(result).toBe(`${DUCKDB_STUB_MESSAGE} (import of @duckdb/node-api)`);
  });
});

describe('the CSV decode worker in a bundle', () => {
  let report: BundleReport;

  beforeAll(async () => {
    // An entry that reads a CSV through the decode pool, as the Lambda's pipelines do.
    const repo = process.cwd();
    report = await bundleEntry('decode', [
      `import { openDecodedCsv } from '${repo}/validation/decoded-csv.ts';`,
      `import { LocalFileSource } from '${repo}/validation/csv/local-file-source.ts';`,
      `import { int32 } from '${repo}/validation/column.ts';`,
      'export async function sumFile(path: string): Promise<{ threaded: boolean; rows: number; sum: number }> {',
      '  const reader = await openDecodedCsv(new LocalFileSource(path), { plan: () => ({ specs: [int32(), int32()], fields: [0, 1] }) });',
      '  let rows = 0;',
      '  let sum = 0;',
      '  for await (const { decoded } of reader) {',
      '    for (const column of decoded!.columns) for (let r = 0; r < decoded!.rowCount; r++) sum += (column.values as Int32Array)[r]!;',
      '    rows += decoded!.rowCount;',
      '  }',
      '  return { threaded: reader.threaded, rows, sum };',
      '}',
    ]);
  });

  test('ships next to the entry and decodes there, off the main thread, in a folder with no node_modules', async () => {
    expect(report.files).toEqual([BUNDLE_FILE, DECODE_WORKER_FILE, 'package.json']);
    const dir = await isolate(report.outdir, 'decode');
    const rows = 50_000;
    const lines = ['a,b'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${i % 7}`);
    await writeFile(join(dir, 'input.csv'), `${lines.join('\n')}\n`);
    const expected = { rows, sum: (rows * (rows - 1)) / 2 + Array.from({ length: rows }, (_, i) => i % 7).reduce((a, b) => a + b, 0) };
    const script = `const m = await import('./${BUNDLE_FILE}'); console.log(JSON.stringify(await m.sumFile('input.csv')));`;
    expect(await runNode(dir, script, { LAKEHOUSE_CSV_WORKER: '1' })).toEqual({ threaded: true, ...expected });
    expect(await runNode(dir, script, { LAKEHOUSE_CSV_WORKER: '0' })).toEqual({ threaded: false, ...expected });
  });
});
