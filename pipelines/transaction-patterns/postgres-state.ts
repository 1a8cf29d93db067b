/** The state store on a PostgreSQL server reached by URL (`pg`, one connection). */
import pg from 'pg';
import { stateStoreError, type BulkColumn, type StateParam, type StateSql, type StateStore } from './state-sql.js';

function unnestSql(table: string, columns: readonly BulkColumn[]): string {
  return `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
}

/** A {@link StateStore} over one `pg` connection. */
export class PostgresState implements StateStore {
  readonly kind = 'postgres' as const;

  private constructor(private readonly client: pg.Client) {}

  /** Connect to `url`. */
  static async connect(url: string): Promise<PostgresState> {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (err) {
      stateStoreError(err, 'postgres');
    }
    return new PostgresState(client);
  }

  async query<R extends Record<string, unknown>>(sql: string, params: readonly StateParam[] = []): Promise<R[]> {
    try {
      return (await this.client.query<R>(sql, params as unknown[])).rows;
    } catch (err) {
      return stateStoreError(err, this.kind);
    }
  }

  async exec(sql: string): Promise<void> {
    await this.query(sql);
  }

  async bulkInsert(table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void> {
    if (values[0]?.length) await this.query(unnestSql(table, columns), values);
  }

  async transaction<T>(fn: (sql: StateSql) => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const result = await fn(this);
      await this.query('COMMIT');
      return result;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
