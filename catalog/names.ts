/**
 * Database and table names. Both catalogs and both engines accept the same names: lower-case ASCII
 * letters, digits and `_`, starting with a letter or `_` (Glue lower-cases names and Athena
 * accepts nothing else unquoted), at most 255 characters.
 */
import { UsageError } from '../etl/errors.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,254}$/;

/** Throw `UsageError` unless `name` is a valid database or table name. */
export function checkIdentifier(name: string, what: 'database' | 'table'): void {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new UsageError(
      `invalid ${what} name ${JSON.stringify(name)}: use lower-case letters, digits and "_", starting with a letter or "_" (at most 255 characters)`,
    );
  }
}

/** A table's two-part name. */
export interface TableName {
  /** Database (Glue database, DuckDB schema). */
  database: string;
  /** Table name inside the database. */
  name: string;
}

/** Parse and check `database.table`. Throws `UsageError` for anything else. */
export function parseTableName(qualified: string): TableName {
  const parts = typeof qualified === 'string' ? qualified.split('.') : [];
  if (parts.length !== 2) {
    throw new UsageError(`invalid table name ${JSON.stringify(qualified)}: expected <database>.<table>, e.g. ecommerce.orders`);
  }
  const [database, name] = parts as [string, string];
  checkIdentifier(database, 'database');
  checkIdentifier(name, 'table');
  return { database, name };
}

/** `database.table`. */
export function qualifiedName(table: TableName): string {
  return `${table.database}.${table.name}`;
}

/** A SQL identifier in double quotes (a `"` inside is doubled); both DuckDB and Athena read this form. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
