/** Printing results for a CLI: an aligned text table, one JSON array of row objects, or CSV. */
import { UsageError } from '../../etl/errors.js';
import type { ColumnInfo, Row, SqlValue } from '../query/query-engine.js';

/** The output formats. */
export type OutputFormat = 'table' | 'json' | 'csv';

/** Something with columns and rows (a query or report result). */
export interface Printable {
  /** Columns in order. */
  columns: ColumnInfo[];
  /** Rows. */
  rows: Row[];
}

/** Format `result` as `output`. Throws `UsageError` for an unknown format. */
export function formatResult(result: Printable, output: OutputFormat): string {
  switch (output) {
    case 'table':
      return formatTable(result);
    case 'json':
      return formatJson(result);
    case 'csv':
      return formatCsv(result);
    default:
      throw new UsageError(`unknown output format ${JSON.stringify(output)}; use table, json or csv`);
  }
}

/** A value as text: dates as ISO 8601, bytes as hex, nested values as JSON, null as empty. */
export function displayValue(value: SqlValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'object') return JSON.stringify(jsonValue(value));
  return String(value);
}

/** A value as JSON can hold it: bigints beyond ±2^53 and non-finite numbers as strings, Dates as ISO strings, bytes as hex. */
export function jsonValue(value: SqlValue): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  return value;
}

/** One JSON array of row objects (keys in column order), with a trailing newline. */
export function formatJson(result: Printable): string {
  const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((c) => [c.name, jsonValue(row[c.name] ?? null)])));
  return `${JSON.stringify(rows)}\n`;
}

/** RFC 4180 CSV with a header line; fields with a comma, quote or line break are quoted. */
export function formatCsv(result: Printable): string {
  const field = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [result.columns.map((c) => field(c.name)).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((c) => field(displayValue(row[c.name] ?? null))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** An aligned text table (numeric columns right-aligned, line breaks shown as `\n`) with a row count line. */
export function formatTable(result: Printable): string {
  const names = result.columns.map((c) => c.name);
  // Line breaks inside a value would break the layout: show them escaped.
  const cells = result.rows.map((row) => names.map((n) => displayValue(row[n] ?? null).replace(/\r?\n/g, '\\n')));
  const numeric = names.map((n) => result.rows.some((r) => typeof r[n] === 'number' || typeof r[n] === 'bigint'));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(names), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}
