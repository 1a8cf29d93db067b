/** The report registry and `runReport`, the one way to run a report on any engine. */
import { UsageError } from '../../etl/errors.js';
import { checkIdentifier } from '../names.js';
import type { ColumnInfo, QueryEngine, QueryOptions, QueryStats, Row } from '../query/query-engine.js';
import { dailySales } from './daily-sales.js';
import { dataQuality } from './data-quality.js';
import { departmentItems } from './department-items.js';
import type { ReportDefinition, ReportName, ReportOptions } from './report.js';
import { topProducts } from './top-products.js';

/** Every report, by name. */
export const REPORTS: Readonly<Record<ReportName, ReportDefinition>> = {
  daily_sales: dailySales,
  top_products: topProducts,
  department_items: departmentItems,
  data_quality: dataQuality,
};

/** The names of the reports, in display order. */
export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

/** A report's result. */
export interface ReportResult {
  /** Report name. */
  name: ReportName;
  /** Report title. */
  title: string;
  /** Columns. */
  columns: ColumnInfo[];
  /** Rows. */
  rows: Row[];
  /** What the query cost. */
  stats: QueryStats;
}

/** The report called `name`. Throws `UsageError` (listing the names) for an unknown one. */
export function getReport(name: string): ReportDefinition {
  const report = (REPORTS as Record<string, ReportDefinition | undefined>)[name];
  if (!report) throw new UsageError(`unknown report ${JSON.stringify(name)}; reports: ${REPORT_NAMES.join(', ')}`);
  return report;
}

/** The SQL of report `name` over `database` (default `ecommerce`). */
export function reportSql(name: string, database = 'ecommerce'): string {
  checkIdentifier(database, 'database');
  return getReport(name).sql(database);
}

/** Run report `name` on `engine`. Throws `UsageError` for an unknown report or bad options. */
export async function runReport(
  engine: QueryEngine,
  name: string,
  options: ReportOptions & QueryOptions = {},
): Promise<ReportResult> {
  const report = getReport(name);
  checkOptions(options);
  const sql = reportSql(name, options.database ?? 'ecommerce');
  const result = await engine.query(sql, report.params(options), { signal: options.signal, timeoutMs: options.timeoutMs });
  return { name: report.name, title: report.title, columns: result.columns, rows: result.rows, stats: result.stats };
}

function checkOptions(options: ReportOptions): void {
  for (const key of ['from', 'to'] as const) {
    const value = options[key];
    if (value !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) {
      throw new UsageError(`report option ${key} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
    }
  }
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit > 0)) {
    throw new UsageError(`report option limit must be a positive integer, got ${options.limit}`);
  }
}
