/** data_quality: rejected rows per run, dataset and rule, from the quarantine table. */
import type { ReportDefinition } from './report.js';

export const dataQuality: ReportDefinition = {
  name: 'data_quality',
  title: 'Data quality (rejected rows)',
  columns: ['run_id', 'dataset', 'rule', 'rejected_rows', 'last_rejected_at'],
  sql: (db) => `SELECT
  run_id,
  dataset,
  rule,
  COUNT(*) AS rejected_rows,
  MAX(rejected_at) AS last_rejected_at
FROM ${db}.rejected_records
WHERE (CAST(? AS VARCHAR) IS NULL OR run_id = CAST(? AS VARCHAR))
GROUP BY run_id, dataset, rule
ORDER BY run_id, dataset, rule`,
  params: (o) => [o.runId ?? null, o.runId ?? null],
};
