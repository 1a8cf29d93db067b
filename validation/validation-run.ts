/**
 * A validation run: validates datasets in dependency order, checks foreign keys against the keys
 * accepted earlier in the run and the keys already committed, and keeps the run's summary.
 */
import type * as arrow from 'apache-arrow';
import { UsageError } from '../etl/errors.js';
import { readAccepted } from './accepted-rows.js';
import type { CommittedKeys } from './committed-keys.js';
import { validateFiles, type AcceptedStream, type RowWarning } from './dataset-validator.js';
import type { DatasetContract } from './define-dataset.js';
import { ReconciliationError } from './errors.js';
import type { CsvInput } from './inputs.js';
import { anyOf, NO_KEYS, type KeyLookup } from './key-lookup.js';
import { loadOrder } from './load-order.js';
import type { QuarantineRecord } from './quarantine.js';
import type { ForeignKeyTarget } from './row-checks.js';
import { assertRunReconciled, type DatasetSummary, type RunSummary } from './summary.js';

/** Options of a run. */
export interface ValidationRunOptions {
  /** The run's id (the pipeline's run id; goes into the quarantine table). */
  runId: string;
  /**
   * Keys already committed in the target tables, for foreign keys: an order_item whose order was
   * committed by an earlier run is valid. Without it, only keys accepted in this run count.
   */
  committedKeys?: CommittedKeys;
}

/** The outcome of validating one dataset. */
export interface DatasetResult {
  /** Dataset name. */
  readonly dataset: string;
  /** The contract it was validated against. */
  readonly contract: DatasetContract;
  /** Schema of the accepted batches and of the table (`contract.arrowSchema`). */
  readonly schema: arrow.Schema;
  /**
   * Columns to merge on when writing (the primary key): rows whose key is already committed replace the
   * committed row, so re-ingesting a file changes nothing. Empty when the dataset has no key: append.
   */
  readonly mergeKeys: readonly string[];
  /** Partition columns declared by the contract (a hint for the table). */
  readonly partitionBy: readonly string[];
  /** Counts per dataset and per file; reconciled (read = accepted + rejected). */
  readonly summary: DatasetSummary;
  /** Rejected rows, by file then line; write them with `quarantineBatches`. */
  readonly rejected: readonly QuarantineRecord[];
  /** The first warnings (all are counted in `summary.warnedByRule`). */
  readonly warnings: readonly RowWarning[];
  /**
   * Accepted rows in bounded batches (at most the dataset's `batchRows` rows each), in input order,
   * every batch from one input file. The rows are read again from the files as they are handed out
   * (validation keeps one bit per row, not the rows), so memory stays flat however large the input.
   * Iterate once. Throws `InputFileError` when a file changed since it was validated, and
   * `ReconciliationError` at the end if the rows handed out differ from `summary.accepted`.
   */
  readonly accepted: AsyncIterable<arrow.RecordBatch>;
  /**
   * True when every accepted row was already handed to the `stream` given to `validate`, in input order:
   * `accepted` then need not be read. False without a stream, or when the stream was abandoned.
   */
  readonly streamed: boolean;
  /** The input (one of those passed to `validate`) every row of an accepted batch came from; undefined for a batch handed out by neither `accepted` nor the stream. */
  inputOf(batch: arrow.RecordBatch): CsvInput | undefined;
}

/** Options of one `validate` call. */
export interface ValidateOptions {
  /**
   * Receives the accepted rows while the files are read (a single pass); if it is abandoned, read
   * `accepted` instead. See `AcceptedStream`.
   */
  stream?: AcceptedStream;
}

interface Validated {
  contract: DatasetContract;
  acceptedKeys: KeyLookup | undefined;
  rejectedKeys: KeyLookup | undefined;
}

/** One run over several datasets. */
export class ValidationRun {
  /** The run's id. */
  readonly runId: string;
  private readonly committedKeys: CommittedKeys | undefined;
  private readonly validated = new Map<string, Validated>();
  private readonly committed = new Map<string, Promise<KeyLookup | undefined>>();
  private readonly summaries: DatasetSummary[] = [];
  /** The input of every batch handed out (streamed or read again), for `inputOf`. */
  private readonly origins = new WeakMap<arrow.RecordBatch, CsvInput>();

  /** Starts a run. */
  constructor(options: ValidationRunOptions) {
    this.runId = options.runId;
    this.committedKeys = options.committedKeys;
  }

  /**
   * Validates the raw files of one dataset (all of them, in the order given: later rows win ties).
   * Datasets it references must be validated first in this run, or not at all (then only committed keys
   * count). Throws `ValidationFailedError` when a `fail` policy trips, `InputFileError` for an unreadable
   * file, `UsageError` for a wrong order.
   */
  async validate(contract: DatasetContract, inputs: readonly CsvInput[], options: ValidateOptions = {}): Promise<DatasetResult> {
    if (this.validated.has(contract.name)) throw new UsageError(`dataset ${contract.name} was already validated in run ${this.runId}; pass all its files at once`);
    for (const v of this.validated.values()) {
      const fk = v.contract.foreignKeys.find((k) => k.references.name === contract.name);
      if (fk !== undefined) {
        throw new UsageError(`validate ${contract.name} before ${v.contract.name}: ${v.contract.name}.${fk.column} references it (see loadOrder)`);
      }
    }
    const targets = new Map<string, ForeignKeyTarget>();
    for (const fk of contract.foreignKeys) {
      const parent = this.validated.get(fk.references.name);
      const committed = await this.committedFor(fk.references.name, fk.referencedColumn);
      const known = anyOf(parent?.acceptedKeys, committed);
      targets.set(fk.column, { known: parent?.acceptedKeys === undefined && committed === undefined ? NO_KEYS : known, ...(parent?.rejectedKeys ? { rejected: parent.rejectedKeys } : {}) });
    }
    const origins = this.origins;
    const consumer = options.stream;
    const stream: AcceptedStream | undefined = consumer && {
      push: (batch, file) => {
        origins.set(batch, inputs[file]!);
        return consumer.push(batch, file);
      },
      abandon: () => consumer.abandon(),
    };
    const outcome = await validateFiles(contract, inputs, targets, stream);
    this.validated.set(contract.name, { contract, acceptedKeys: outcome.acceptedKeys, rejectedKeys: outcome.rejectedKeys });
    this.summaries.push(outcome.summary);
    const plan = outcome.accepted;
    const expected = outcome.summary.accepted;
    let drained = false;
    const accepted: AsyncIterable<arrow.RecordBatch> = {
      async *[Symbol.asyncIterator]() {
        if (drained) throw new UsageError(`the accepted rows of ${contract.name} can be read only once`);
        drained = true;
        let rows = 0;
        for await (const { batch, file } of readAccepted(contract, inputs, plan)) {
          rows += batch.numRows;
          origins.set(batch, inputs[file]!);
          yield batch;
        }
        if (rows !== expected) throw new ReconciliationError(`dataset ${contract.name}: ${rows} accepted rows handed out, ${expected} counted`);
      },
    };
    return {
      dataset: contract.name,
      contract,
      schema: contract.arrowSchema,
      mergeKeys: contract.primaryKey,
      partitionBy: contract.partitionBy,
      summary: outcome.summary,
      rejected: outcome.rejected,
      warnings: outcome.warnings,
      accepted,
      streamed: outcome.streamed,
      inputOf: (batch) => origins.get(batch),
    };
  }

  /**
   * Validates several datasets in dependency order (`loadOrder`), yielding each result before starting
   * the next: write (or stage) one dataset's accepted rows before asking for the next. `inputs` maps a
   * dataset name to its files; a dataset without files yields a result with zero counts.
   */
  async *validateAll(contracts: readonly DatasetContract[], inputs: Readonly<Record<string, readonly CsvInput[]>>): AsyncGenerator<DatasetResult> {
    const known = new Set(contracts.map((c) => c.name));
    const unknown = Object.keys(inputs).filter((n) => !known.has(n));
    if (unknown.length > 0) throw new UsageError(`inputs for datasets without a contract: ${unknown.join(', ')}`);
    for (const contract of loadOrder(contracts)) yield await this.validate(contract, inputs[contract.name] ?? []);
  }

  /**
   * The input every row of an accepted batch came from, for a batch of any dataset of this run, handed
   * out by a `stream` (usable while validation goes on) or by `accepted`; undefined for any other batch.
   */
  inputOf(batch: arrow.RecordBatch): CsvInput | undefined {
    return this.origins.get(batch);
  }

  /** The run's summary so far; reconciled (throws `ReconciliationError` otherwise). */
  summary(): RunSummary {
    const summary = { runId: this.runId, datasets: [...this.summaries] };
    assertRunReconciled(summary);
    return summary;
  }

  private committedFor(dataset: string, column: string): Promise<KeyLookup | undefined> {
    const provider = this.committedKeys;
    if (provider === undefined) return Promise.resolve(undefined);
    const id = `${dataset}\u0000${column}`;
    let lookup = this.committed.get(id);
    if (lookup === undefined) {
      lookup = provider(dataset, column);
      this.committed.set(id, lookup);
    }
    return lookup;
  }
}
