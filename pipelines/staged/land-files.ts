/**
 * Landing (bronze): copy source files, as they arrived, into the pipeline's raw zone inside the
 * warehouse, `<warehouse>/bronze/<pipeline>/<dataset>/ingest_date=<YYYY-MM-DD>/<time>-<name>`, once per
 * source file version. A create-only marker per version (`_lakehouse/landing/<pipeline>/<id>.json`),
 * claimed before the copy and marked landed after it, makes landing exactly-once across runs and crashes; the runner's ingest ledger then ingests each landed file once.
 * The source is never modified. Landed files move to `bronze/<pipeline>/archived/<run date>/...` when
 * the runner has committed them (still kept, still under their ingestion date).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { AlreadyExistsError, UsageError } from '../../etl/errors.js';
import { openStore } from '../../etl/storage/open-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';

/** Files of a source: a store and the keys in it. */
export interface SourceFiles {
  /** The store holding them. */
  store: ObjectStore;
  /** Their keys, sorted. */
  keys: string[];
}

const DATA_FILE = /\.(csv|txt|psv)(\.gz)?$/i;

/** The files a `--source`/`--raw` URI names: one file, or every data file under a folder or S3 prefix (the `archived/` folder excluded). */
export async function sourceFiles(uri: string): Promise<SourceFiles> {
  const local = !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || uri.startsWith('file://');
  if (local) {
    const path = resolve(uri.replace(/^file:\/\//, ''));
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new UsageError(`source ${uri} does not exist`);
    }
    if (stat.isFile()) return { store: openStore(dirname(path)), keys: [basename(path)] };
  } else {
    const slash = uri.replace(/\/+$/, '').lastIndexOf('/');
    const parent = openStore(uri.slice(0, slash));
    const name = uri.slice(slash + 1);
    if (name && !uri.endsWith('/') && (await parent.head(name))) return { store: parent, keys: [name] };
  }
  const store = openStore(uri);
  const keys: string[] = [];
  for await (const meta of store.list('')) if (DATA_FILE.test(meta.key) && !meta.key.startsWith('archived/')) keys.push(meta.key);
  return { store, keys: keys.sort() };
}

/** The raw zone the runner reads for a pipeline: `<warehouse>/bronze/<pipeline>`. */
export function bronzeStore(warehouse: ObjectStore, pipeline: string): ObjectStore {
  return new PrefixedStore(warehouse, `bronze/${pipeline}`);
}

/** What a landing did. */
export interface LandingResult {
  /** Keys (relative to the bronze store) of the files landed now. */
  landed: string[];
  /** Source files already landed by an earlier run. */
  seen: number;
}

/** The landing marker of one source file version. */
interface LandingMarker {
  /** Source URI. */
  source: string;
  /** Its version tag. */
  etag: string;
  /** Bronze key it is landed at. */
  landed: string;
  /** When the landing started. */
  at: string;
  /** `landing` until the copy is complete (absent in markers of earlier versions: landed). */
  state?: 'landing' | 'landed';
}

async function readMarker(warehouse: ObjectStore, key: string): Promise<LandingMarker | undefined> {
  if (!(await warehouse.head(key))) return undefined;
  return JSON.parse(new TextDecoder().decode(await warehouse.get(key))) as LandingMarker;
}

const encode = (marker: LandingMarker): Uint8Array => new TextEncoder().encode(JSON.stringify(marker));

/**
 * Land the source files not landed before into `<bronze>/<dataset>/ingest_date=<date>/`. The marker is
 * claimed (create-only) before the copy and marked `landed` after it, so a crash in between is finished
 * by the next run at the same bronze key: a file is landed once, never twice, never lost.
 */
export async function landFiles(source: SourceFiles, warehouse: ObjectStore, pipeline: string, dataset: string, now: Date): Promise<LandingResult> {
  const bronze = bronzeStore(warehouse, pipeline);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const day = now.toISOString().slice(0, 10);
  const landed: string[] = [];
  let seen = 0;
  for (const key of source.keys) {
    const meta = await source.store.head(key);
    if (!meta) continue; // gone since listing
    const id = createHash('sha256').update(`${source.store.uriOf(key)}\n${meta.etag}`).digest('hex').slice(0, 32);
    const markerKey = `_lakehouse/landing/${pipeline}/${id}.json`;
    let marker = await readMarker(warehouse, markerKey);
    if (!marker) {
      const claim: LandingMarker = { source: source.store.uriOf(key), etag: meta.etag, landed: `${dataset}/ingest_date=${day}/${stamp}-${key.replace(/\//g, '_')}`, at: now.toISOString(), state: 'landing' };
      try {
        await warehouse.putIfAbsent(markerKey, encode(claim));
        marker = claim;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        marker = await readMarker(warehouse, markerKey); // another run claimed it first
        if (!marker) throw err;
      }
    }
    if (marker.state !== undefined && marker.state !== 'landed') {
      await bronze.put(marker.landed, await source.store.get(key));
      await warehouse.put(markerKey, encode({ ...marker, state: 'landed' }));
      landed.push(marker.landed);
    } else seen++;
  }
  return { landed, seen };
}
