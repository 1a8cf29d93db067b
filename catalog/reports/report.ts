/**
 * A report: SQL written once in the dialect both DuckDB and Athena (Trino) accept: double-quoted
 * identifiers, `?` placeholders wrapped in `CAST(? AS type)`, standard functions only, no LIMIT
 * parameter (a row-number filter instead), every table qualified as `<database>.<table>`.
 */
import type { SqlParam } from '../query/query-engine.js';

/** The names of the built-in reports. */
export type ReportName = 'daily_sales' | 'top_products' | 'department_items' | 'data_quality';

/** Options of a report run. */
export interface ReportOptions {
  /** Database holding the tables (default `ecommerce`). */
  database?: string;
  /** First date included, `YYYY-MM-DD` (daily_sales). */
  from?: string;
  /** Last date included, `YYYY-MM-DD` (daily_sales). */
  to?: string;
  /** Number of rows (top_products; default 10). */
  limit?: number;
  /** Only this run (data_quality). */
  runId?: string;
}

/** One report. */
export interface ReportDefinition {
  /** Stable name, as `lakehouse report <name>` takes it. */
  name: ReportName;
  /** One-line title. */
  title: string;
  /** The columns the report returns, in order. */
  columns: string[];
  /** The report's SQL over the tables of `database` (a checked identifier). */
  sql(database: string): string;
  /** The values bound to the SQL's placeholders, in order. */
  params(options: ReportOptions): SqlParam[];
}
