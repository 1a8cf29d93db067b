/**
 * Counts per file, per dataset and per run, and the reconciliation every summary must pass:
 * read = accepted + rejected (rows kept under a `warn` policy count as accepted).
 */
import { ReconciliationError } from './errors.js';
import type { RuleCode, RuleCounts } from './rules.js';

/**
 * How a file went: `loaded` (its rows were checked one by one), `empty` (no header and no rows: nothing
 * to load), or `header_mismatch` (every row rejected because the header does not match the contract).
 */
export type FileStatus = 'loaded' | 'empty' | 'header_mismatch';

/** Counts shared by files and datasets. */
export interface Counts {
  /**
   * Data rows read: every record after the header, well-formed or malformed (a row whose quote never
   * closes counts once). Blank lines are not rows. For a `header_mismatch` file, every record after the
   * header row (or, when the header row itself cannot be parsed, every non-blank line after line 1).
   */
  read: number;
  /** Rows in the output, including rows kept under a `warn` policy. */
  accepted: number;
  /** Rows in the quarantine. */
  rejected: number;
  /** Accepted rows that tripped at least one `warn` rule. */
  warned: number;
  /** Rejected rows per rule. */
  rejectedByRule: RuleCounts;
  /** Warnings per rule (a row counts once per rule). */
  warnedByRule: RuleCounts;
}

/** Counts for one raw file. */
export interface FileSummary extends Counts {
  /** The file's URI. */
  uri: string;
  /** How the file went. */
  status: FileStatus;
  /** For `header_mismatch`: which columns are missing, unexpected or renamed. */
  headerProblem?: string;
}

/** Counts for one dataset in a run. */
export interface DatasetSummary extends Counts {
  /** Dataset name. */
  dataset: string;
  /** Per file, in input order. */
  files: FileSummary[];
}

/** Counts for a run. */
export interface RunSummary {
  /** The run. */
  runId: string;
  /** Per dataset, in the order they were validated. */
  datasets: DatasetSummary[];
}

/** Fresh zero counts. */
export function zeroCounts(): Counts {
  return { read: 0, accepted: 0, rejected: 0, warned: 0, rejectedByRule: {}, warnedByRule: {} };
}

/** Adds `n` to `counts[rule]`. */
export function bump(counts: RuleCounts, rule: RuleCode, n = 1): void {
  counts[rule] = (counts[rule] ?? 0) + n;
}

/** Adds `from` into `into`. */
export function addCounts(into: Counts, from: Counts): void {
  into.read += from.read;
  into.accepted += from.accepted;
  into.rejected += from.rejected;
  into.warned += from.warned;
  for (const [r, n] of Object.entries(from.rejectedByRule)) bump(into.rejectedByRule, r as RuleCode, n);
  for (const [r, n] of Object.entries(from.warnedByRule)) bump(into.warnedByRule, r as RuleCode, n);
}

function check(where: string, c: Counts): void {
  if (c.read !== c.accepted + c.rejected) {
    throw new ReconciliationError(`${where}: read ${c.read} != accepted ${c.accepted} + rejected ${c.rejected}`);
  }
  const byRule = Object.values(c.rejectedByRule).reduce((a, b) => a + b, 0);
  if (byRule !== c.rejected) throw new ReconciliationError(`${where}: rejections per rule add up to ${byRule}, not ${c.rejected}`);
  if (c.warned > c.accepted) throw new ReconciliationError(`${where}: ${c.warned} warned rows but only ${c.accepted} accepted`);
}

/**
 * Throws `ReconciliationError` unless, for the dataset and each of its files, read = accepted + rejected,
 * the per-rule rejections add up, and the files add up to the dataset.
 */
export function assertReconciled(summary: DatasetSummary): void {
  check(`dataset ${summary.dataset}`, summary);
  const total = zeroCounts();
  for (const f of summary.files) {
    check(`dataset ${summary.dataset}, file ${f.uri}`, f);
    addCounts(total, f);
  }
  if (total.read !== summary.read || total.accepted !== summary.accepted || total.rejected !== summary.rejected) {
    throw new ReconciliationError(`dataset ${summary.dataset}: its files add up to read ${total.read}, accepted ${total.accepted}, rejected ${total.rejected}`);
  }
}

/** `assertReconciled` for every dataset of a run. */
export function assertRunReconciled(summary: RunSummary): void {
  for (const d of summary.datasets) assertReconciled(d);
}
