/**
 * Bundle the Lambda: esbuild, one ESM file for Node 20 (`dist/lambda/index.mjs`, handler
 * `index.handler`), plus the WebAssembly files its modules read at load time, then a ZIP of the
 * folder to report the deployed size. `node --import tsx pipelines/aws/bundle.ts [outdir]`.
 *
 * - DuckDB (`@duckdb/*`) is never bundled: the Lambda queries through Athena. An import of it
 *   resolves to a stub that throws a clear error when evaluated.
 * - PGlite (`@electric-sql/pglite`) is never bundled either: on AWS the serving tables go to a
 *   PostgreSQL server through `pg` (`DATABASE_URL`), and PGlite's WASM and data files (~10 MB) would
 *   only weigh the ZIP down. Its import resolves to a stub whose `PGlite` throws a clear error when used
 *   (the import itself is static, so the stub must load).
 * - The AWS SDK v3 clients are bundled rather than taken from the runtime: which SDK version a
 *   runtime image carries is not ours to pin, and the bundle must match the versions we test.
 * - When the bundle reads CSV files through the decode worker (`validation/decode-worker-pool.ts`),
 *   the worker's module is bundled too, as `decode-worker.js` next to the entry (where the pool looks
 *   for it), with a `package.json` that makes `.js` files ES modules: a Lambda with two vCPUs then
 *   decodes CSV on its second core.
 */
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { zipEntries } from './zip-file.js';

/** The repository root (this file is pipelines/aws/bundle.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bundle's entry module. */
export const DEFAULT_ENTRY = join(REPO_ROOT, 'pipelines', 'aws', 'lambda-entry.ts');
/** The CDK asset folder the stack deploys. */
export const DEFAULT_OUTDIR = join(REPO_ROOT, 'dist', 'lambda');
/** The bundle's file name inside the asset folder. */
export const BUNDLE_FILE = 'index.mjs';
/** The CSV decode worker's file name inside the asset folder (see `validation/decode-worker-pool.ts`). */
export const DECODE_WORKER_FILE = 'decode-worker.js';
/** The module that starts the decode worker: bundling it brings the worker along. */
const DECODE_WORKER_POOL = 'validation/decode-worker-pool.ts';
/** The decode worker's entry module. */
const DECODE_WORKER_ENTRY = join(REPO_ROOT, 'validation', 'decode-worker.ts');

/** Where to bundle from and to. */
export interface BundleOptions {
  /** Entry module; {@link DEFAULT_ENTRY} when absent. */
  entry?: string;
  /** Output folder, emptied first; {@link DEFAULT_OUTDIR} when absent. */
  outdir?: string;
  /** ZIP of the output folder; `<outdir>.zip` when absent. */
  zipFile?: string;
}

/** What a bundle run produced. */
export interface BundleReport {
  /** The output folder (the Lambda asset). */
  outdir: string;
  /** Files in the output folder, relative to it. */
  files: string[];
  /** Total size of those files, in bytes. */
  bytes: number;
  /** The ZIP written. */
  zipFile: string;
  /** The ZIP's size in bytes: what Lambda receives. */
  zippedBytes: number;
  /** Source files bundled, relative to the repository root. */
  inputs: string[];
}

/** Modules that read a sibling file at load time, and the files to ship next to the bundle. */
const SIDE_FILES: ReadonlyArray<{ module: RegExp; files: readonly string[] }> = [
  { module: /node_modules\/parquet-wasm\/node\/parquet_wasm\.js$/, files: ['parquet_wasm_bg.wasm'] },
];

/**
 * CommonJS modules in an ESM bundle still say `require`, `__filename` and `__dirname`
 * (parquet-wasm reads its `.wasm` from `__dirname`): define them for the bundle's own location.
 */
const BANNER = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  "import { dirname as __bundleDirname } from 'node:path';",
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __filename = __bundleFileURLToPath(import.meta.url);',
  'const __dirname = __bundleDirname(__filename);',
].join('\n');

/** Message of the stub that replaces DuckDB. */
export const DUCKDB_STUB_MESSAGE = 'DuckDB is not part of the Lambda bundle: on AWS the engine is Athena';

/** Resolve every `@duckdb/*` import to a stub module that throws when evaluated. */
const excludeDuckDb: Plugin = {
  name: 'exclude-duckdb',
  setup(b) {
    b.onResolve({ filter: /^@duckdb\// }, (args) => ({ path: args.path, namespace: 'duckdb-excluded' }));
    b.onLoad({ filter: /.*/, namespace: 'duckdb-excluded' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${DUCKDB_STUB_MESSAGE} (import of ${args.path})`)});`,
      loader: 'js',
    }));
  },
};

/** Message of the stub that replaces PGlite. */
export const PGLITE_STUB_MESSAGE = 'PGlite is not part of the Lambda bundle: on AWS the serving tables go to PostgreSQL through DATABASE_URL';

/** Resolve every `@electric-sql/pglite` import to a stub whose `PGlite` throws when created. */
const excludePglite: Plugin = {
  name: 'exclude-pglite',
  setup(b) {
    b.onResolve({ filter: /^@electric-sql\/pglite(\/|$)/ }, (args) => ({ path: args.path, namespace: 'pglite-excluded' }));
    b.onLoad({ filter: /.*/, namespace: 'pglite-excluded' }, (args) => {
      const message = JSON.stringify(`${PGLITE_STUB_MESSAGE} (import of ${args.path})`);
      return {
        contents: [
          'export class PGlite {',
          `  constructor() { throw new Error(${message}); }`,
          `  static async create() { throw new Error(${message}); }`,
          '}',
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/** Bundle the Lambda entry, copy its side files, zip the folder; returns what was written. */
export async function bundleLambda(options: BundleOptions = {}): Promise<BundleReport> {
  const entry = resolve(options.entry ?? DEFAULT_ENTRY);
  const outdir = resolve(options.outdir ?? DEFAULT_OUTDIR);
  const zipFile = resolve(options.zipFile ?? `${outdir}.zip`);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const common = {
    absWorkingDir: REPO_ROOT,
    // Entries outside the repository (tests bundle temporary ones) still resolve its packages.
    nodePaths: [join(REPO_ROOT, 'node_modules')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    // Compact but readable: keep identifiers so stack traces in the function's logs name real functions.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    banner: { js: BANNER },
    plugins: [excludeDuckDb, excludePglite],
    metafile: true,
    logLevel: 'warning',
  } satisfies BuildOptions;
  const result = await build({ ...common, entryPoints: [entry], outfile: join(outdir, BUNDLE_FILE) });
  const files = [BUNDLE_FILE];
  const sources = new Set(Object.keys(result.metafile.inputs));
  if (sources.has(DECODE_WORKER_POOL)) {
    const worker = await build({ ...common, entryPoints: [DECODE_WORKER_ENTRY], outfile: join(outdir, DECODE_WORKER_FILE) });
    for (const input of Object.keys(worker.metafile.inputs)) sources.add(input);
    await writeFile(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
    files.push(DECODE_WORKER_FILE, 'package.json');
  }
  const inputs = [...sources].sort();
  for (const side of SIDE_FILES) {
    const module = inputs.find((input) => side.module.test(input));
    if (!module) continue;
    for (const file of side.files) {
      await copyFile(join(REPO_ROOT, dirname(module), file), join(outdir, file));
      files.push(file);
    }
  }
  const entries = await Promise.all(files.map(async (name) => ({ name, data: await readFile(join(outdir, name)) })));
  const zipped = zipEntries(entries);
  await mkdir(dirname(zipFile), { recursive: true });
  await writeFile(zipFile, zipped);
  const bytes = (await Promise.all(files.map(async (name) => (await stat(join(outdir, name))).size))).reduce((a, b) => a + b, 0);
  return { outdir, files, bytes, zipFile, zippedBytes: zipped.byteLength, inputs };
}

/** `1234567` as `1.18 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const outdir = process.argv[2];
  const report = await bundleLambda(outdir ? { outdir } : {});
  const where = relative(process.cwd(), report.outdir) || '.';
  process.stdout.write(
    `${where}: ${report.files.join(', ')} (${formatBytes(report.bytes)}); ` +
      `zipped ${formatBytes(report.zippedBytes)} (${relative(process.cwd(), report.zipFile) || basename(report.zipFile)}); ` +
      `${report.inputs.length} source files\n`,
  );
}
