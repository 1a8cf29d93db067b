/** Printing a run summary for people (a table and the rejections by rule). */
import type { RunSummary } from '../runner/run-summary.js';
import { formatResult } from '../../catalog/reports/format.js';

/** The summary as text. */
export function formatSummary(summary: RunSummary): string {
  const rows = summary.datasets.map((d) => ({
    dataset: d.name,
    read: d.read,
    accepted: d.accepted,
    rejected: d.rejected,
    files: d.filesIngested,
    'table version': d.tableVersion,
  }));
  const columns = ['dataset', 'read', 'accepted', 'rejected', 'files', 'table version'].map((name) => ({ name, type: 'string' }));
  const lines = [`run ${summary.runId} of ${summary.pipeline}: ${summary.status} in ${(summary.elapsedMs / 1000).toFixed(1)} s`];
  lines.push(formatResult({ columns, rows }, 'table'));
  const rules = summary.datasets.flatMap((d) => Object.entries(d.rejectedByRule).map(([rule, n]) => `  ${d.name}: ${n} ${rule}`));
  if (rules.length) lines.push('rejected rows by rule (see the table <database>.rejected_records):', ...rules);
  if (summary.archived) lines.push(`${summary.archived} raw file(s) moved to <raw>/archived/`);
  if (summary.error) lines.push(`error (${summary.error.code}): ${summary.error.message}`);
  return lines.join('\n');
}
