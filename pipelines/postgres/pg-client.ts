/** A PostgreSQL server reached by URL through `pg` (one connection; the sink's work is one transaction). */
import pg from 'pg';
import type { PostgresClient, SqlRunner } from './postgres-client.js';
import { toPostgresError } from './errors.js';

/** A `pg` connection as a PostgresClient. */
export class PgClient implements PostgresClient {
  readonly kind = 'pg' as const;

  private constructor(private readonly client: pg.Client) {}

  /** Connect to `url` (`postgres://user:password@host:port/database`). */
  static async connect(url: string): Promise<PgClient> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined); // a dropped idle connection surfaces on the next query instead
    try {
      await client.connect();
    } catch (err) {
      throw toPostgresError(err, `cannot connect to PostgreSQL at ${redact(url)}`);
    }
    return new PgClient(client);
  }

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
    try {
      const result = await this.client.query(sql, params ? [...params] : undefined);
      return { rows: result.rows as R[] };
    } catch (err) {
      throw toPostgresError(err, 'PostgreSQL query failed');
    }
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const out = await fn(this);
      await this.query('COMMIT');
      return out;
    } catch (err) {
      await this.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
