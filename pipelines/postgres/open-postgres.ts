/**
 * Where the serving tables go: a PostgreSQL server by URL (`--postgres`, else `DATABASE_URL`) through
 * `pg`, or by default the embedded PGlite in `<warehouse>/_lakehouse/postgres/<database>` (a local
 * warehouse) or a configured folder.
 */
import { join } from 'node:path';
import { UsageError } from '../../etl/errors.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PgClient } from './pg-client.js';
import { PgliteClient } from './pglite-client.js';
import type { PostgresClient } from './postgres-client.js';

/** PostgreSQL settings of a run. */
export interface PostgresSettings {
  /** Server URL; wins over `DATABASE_URL`. Without either, PGlite is used. */
  url?: string;
  /** Database name: replaces the URL's database; for PGlite, the sub-folder (default `lakehouse`). */
  database?: string;
  /** PGlite data folder (default `<warehouse>/_lakehouse/postgres/<database>`, local warehouses only). */
  dataDir?: string;
}

/** The URL with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--postgres is not a URL: postgres://user:password@host:port/database expected`);
  }
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Open the PostgreSQL the settings name; `env` is the environment (for `DATABASE_URL`). */
export async function openPostgres(settings: PostgresSettings, warehouse: ObjectStore, env: NodeJS.ProcessEnv = process.env): Promise<PostgresClient> {
  const url = settings.url ?? env.DATABASE_URL;
  if (url) return PgClient.connect(settings.database ? withDatabase(url, settings.database) : url);
  const database = settings.database ?? 'lakehouse';
  if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new UsageError(`--database must be letters, digits, _ or - (got ${database})`);
  let dir = settings.dataDir;
  if (!dir) {
    const root = warehouse.localPath('_lakehouse/postgres');
    if (!root) throw new UsageError('the warehouse is not a local folder: pass --postgres URL (or DATABASE_URL) for the serving tables');
    dir = join(root, database);
  }
  return PgliteClient.open(dir);
}
