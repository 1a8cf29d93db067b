/** Reports: the definitions, `runReport`, and formatting for a CLI. */
export type { ReportDefinition, ReportName, ReportOptions } from './report.js';
export { REPORTS, REPORT_NAMES, getReport, reportSql, runReport, type ReportResult } from './run-report.js';
export { displayValue, formatCsv, formatJson, formatResult, formatTable, jsonValue, type OutputFormat, type Printable } from './format.js';
