/** The summary a run prints with `--json` and records in `_lakehouse/runs/<runId>.json`. */

/** Counts for one dataset in one run. */
export interface DatasetRunSummary {
  /** Dataset (and table) name. */
  name: string;
  /** Rows read from this run's raw files; always `accepted + rejected`. */
  read: number;
  /** Rows written to the table. */
  accepted: number;
  /** Rows written to the quarantine. */
  rejected: number;
  /** Rejected rows per rule code. */
  rejectedByRule: Record<string, number>;
  /** Table version after the run (Delta version, Iceberg sequence number); -1 before the first commit. */
  tableVersion: number;
  /** Data files this run added to the table. */
  filesWritten: number;
  /** Raw files ingested by this run. */
  filesIngested: number;
  /** Raw files of earlier runs' unfinished batches that were no longer there to read. */
  filesMissing: number;
}

/** Outcome of a run. */
export type RunStatus = 'succeeded' | 'failed';

/** The whole summary. */
export interface RunSummary {
  /** Pipeline name. */
  pipeline: string;
  /** Run id. */
  runId: string;
  /** succeeded, or failed (a `fail` policy tripped, a commit or the presence check failed). */
  status: RunStatus;
  /** Per dataset, in load order. */
  datasets: DatasetRunSummary[];
  /** Why the run failed. */
  error?: { code: string; message: string };
  /** When the run started (ISO-8601). */
  startedAt: string;
  /** Wall time in milliseconds. */
  elapsedMs: number;
  /** Raw files moved to the archive. */
  archived: number;
}
