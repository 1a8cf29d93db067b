/**
 * The shape of `openDecodedCsv`: a CSV reader whose batches come with their contract columns already
 * decoded, whether the tokenizing and decoding run on this thread or on a worker thread.
 */
import type { CsvBatch, CsvOptions } from './csv/index.js';
import type { ColumnSpec } from './column.js';
import type { DecodedBatch } from './decoded-batch.js';
import type { Fingerprint } from './input-fingerprint.js';

/** What to decode from each batch: the arguments of `decodeBatch` after the batch. */
export interface DecodePlan {
  /** How to decode each wanted column; only `kind`, `isLowCardinality` and `decimal` are used. */
  readonly specs: readonly ColumnSpec[];
  /** For each spec, the CSV column (index in the header) it is read from. */
  readonly fields: readonly number[];
}

/** Where the tokenizer and the decoders run: `auto` picks by input size and `LAKEHOUSE_CSV_WORKER`. */
export type DecodeThread = 'auto' | 'worker' | 'main';

/** Options of `openDecodedCsv`: the CSV dialect, the decode plan, and where to run. */
export interface DecodedCsvOptions extends CsvOptions {
  /**
   * Called once, on the calling thread, when the header is known (never for an input without a
   * header): the columns to decode, or undefined to decode nothing (e.g. the header does not match).
   * An error it throws is thrown by `openDecodedCsv`.
   */
  plan(header: string[]): DecodePlan | undefined;
  /** Where to tokenize and decode (default `auto`; see `openDecodedCsv`). */
  thread?: DecodeThread;
  /** In `auto`, inputs at least this many (raw) bytes long go to the worker thread. Default `CSV_WORKER_MIN_BYTES`. */
  workerMinBytes?: number;
  /**
   * Filled with the byte count and CRC-32 of the raw input (as `fingerprinted` does), complete once the
   * batches have been read to the end. Prefer it to wrapping the source in `fingerprinted`: a wrapped
   * `LocalFileSource` can no longer be read by the worker itself.
   */
  fingerprint?: Fingerprint;
}

/** One batch as read, with its decoded columns. */
export interface DecodedCsvBatch {
  /** The batch, as `openCsv` yields it (bytes, field offsets, lines, malformed rows). */
  readonly csv: CsvBatch;
  /** `decodeBatch(csv, plan.specs, plan.fields)`, or undefined when the plan was undefined. */
  readonly decoded: DecodedBatch | undefined;
}

/**
 * An open CSV input, like `CsvReader`. Each batch (and every array in it) is valid only until the loop
 * asks for the next one.
 */
export interface DecodedCsvReader {
  /** Header names, or undefined when the input has no non-blank row at all. */
  readonly header: string[] | undefined;
  /** 1-based line of the header row; 0 when there is none. */
  readonly headerLine: number;
  /** True when the batches are tokenized and decoded on a worker thread. */
  readonly threaded: boolean;
  /**
   * The batches, in file order. A `CsvFormatError` after the header (a corrupt gzip stream) is thrown
   * here, after the batches before it; so is a read error of the source. Breaking out of the loop
   * releases the source and stops the worker. Throws `UsageError` when called twice.
   */
  [Symbol.asyncIterator](): AsyncIterator<DecodedCsvBatch>;
  /**
   * Releases the source and stops the worker without reading further. Call it (e.g. in `finally`) when
   * the batches might not be read to the end or not read at all; harmless after a complete loop.
   */
  close(): Promise<void>;
}
