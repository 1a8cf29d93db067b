/** The CLI commands of the transaction-pattern pipeline: `run transaction-patterns` and `generate banksim`. */
import { UsageError } from '../../etl/errors.js';
import type { CliIo } from '../cli/cli-io.js';
import { EXIT_OK } from '../cli/exit-codes.js';
import { writeBankSim } from './banksim-files.js';
import { runTransactionPatterns } from './transaction-patterns-run.js';

/** The pipeline name on the command line. */
export const TRANSACTION_PATTERNS = 'transaction-patterns';

/** Flags of `lakehouse run transaction-patterns`. */
export interface TransactionPatternsFlags {
  /** `transactions.csv` URI. */
  source?: string;
  /** `CustomerImportance.csv` URI. */
  importance?: string;
  /** Output URI. */
  out?: string;
  /** Interval between chunks in ms. */
  intervalMs?: string;
  /** PostgreSQL URL for the state. */
  postgres?: string;
  /** Print the summary as one JSON object. */
  json?: boolean;
}

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number >= 0, got ${JSON.stringify(value)}`);
  return n;
}

/** `lakehouse run transaction-patterns ...`: runs X and Y to the end of the source; prints the summary. */
export async function transactionPatternsCommand(flags: TransactionPatternsFlags, io: CliIo): Promise<number> {
  for (const name of ['source', 'importance', 'out'] as const) {
    if (!flags[name]) throw new UsageError(`run ${TRANSACTION_PATTERNS} needs --${name} <uri>`);
  }
  const summary = await runTransactionPatterns({
    source: flags.source!,
    importance: flags.importance!,
    out: flags.out!,
    intervalMs: nonNegativeInt('--interval-ms', flags.intervalMs, 1000),
    ...(flags.postgres ? { postgres: flags.postgres } : {}),
    onProgress: (e) => {
      if (e.mechanism === 'X') io.progress(`[X] chunk ${e.chunk} written (${e.rows} rows)`);
      else io.progress(`[Y] chunk ${e.chunk} processed (${e.rows} rows, ${e.detections ?? 0} detections)`);
    },
  });
  io.done();
  if (flags.json) io.out(JSON.stringify({ pipeline: TRANSACTION_PATTERNS, ...summary }));
  else {
    io.out(
      `${TRANSACTION_PATTERNS}: ${summary.status}; ${summary.ingest.nextChunk} chunks (${summary.ingest.rows} rows) ingested, ` +
        `${summary.chunksProcessed} processed in this run (${summary.rowsProcessed} rows), ${summary.detections} new detections ` +
        `(${summary.totalDetections} in all, ${summary.detectionFiles} files written), ${summary.rowsRejected} rows rejected, ${summary.elapsedMs} ms`,
    );
  }
  return EXIT_OK;
}

/** Flags of `lakehouse generate banksim`. */
export interface GenerateFlags {
  /** Transactions to generate. */
  rows?: string;
  /** Output folder or URI. */
  out?: string;
  /** Seed. */
  seed?: string;
}

/** `lakehouse generate banksim --rows N --out DIR [--seed N]`. */
export async function generateBanksimCommand(kind: string, flags: GenerateFlags, io: CliIo): Promise<number> {
  if (kind !== 'banksim') throw new UsageError(`unknown generator ${kind}; known: banksim`);
  if (!flags.out) throw new UsageError('generate banksim needs --out <dir>');
  const rows = nonNegativeInt('--rows', flags.rows, 100_000);
  const written = await writeBankSim(flags.out, { rows, seed: nonNegativeInt('--seed', flags.seed, 42) });
  io.out(`wrote ${written.rows} transactions to ${written.transactions} and ${written.importanceRows} importance rows to ${written.importance}`);
  return EXIT_OK;
}
