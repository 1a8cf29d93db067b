/** The embedded PostgreSQL: PGlite (real Postgres compiled to WASM), in memory or in a data folder. */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { PostgresClient, SqlRunner } from './postgres-client.js';
import { toPostgresError } from './errors.js';

const runner = (db: { query: PGlite['query'] }): SqlRunner => ({
  async query<R>(sql: string, params?: readonly unknown[]) {
    try {
      const result = await db.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows };
    } catch (err) {
      throw toPostgresError(err, 'PGlite query failed');
    }
  },
});

/** A PGlite database as a PostgresClient. */
export class PgliteClient implements PostgresClient {
  readonly kind = 'pglite' as const;
  private readonly runner: SqlRunner;

  private constructor(private readonly db: PGlite) {
    this.runner = runner(db);
  }

  /** Open (creating when absent) the database in `dataDir`, or an in-memory one when omitted. */
  static async open(dataDir?: string): Promise<PgliteClient> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    try {
      const db = await PGlite.create(dataDir);
      return new PgliteClient(db);
    } catch (err) {
      throw toPostgresError(err, `cannot open PGlite${dataDir ? ` in ${dataDir}` : ''}`);
    }
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
    return this.runner.query<R>(sql, params);
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(runner(tx)));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
