/**
 * The accepted rows of a dataset, handed out by reading their files a second time: validation keeps one
 * bit per row (`OrdinalBits`) instead of the rows, so memory stays flat in the input size. Each file's
 * rows are decoded again and the accepted ones built into Arrow batches, one file at a time.
 */
import type * as arrow from 'apache-arrow';
import { buildRecordBatch } from './arrow-build.js';
import { decodeBatch } from './decoded-batch.js';
import type { DatasetContract } from './define-dataset.js';
import type { CsvInput } from './inputs.js';
import type { OrdinalBits } from './ordinal-bits.js';
import { rereadFiles, type AcceptedFile } from './reread-files.js';

export type { AcceptedFile } from './reread-files.js';

/** Which rows of a dataset were accepted, and where they are. */
export interface AcceptedRows {
  /** The accepted ordinals. */
  readonly bits: OrdinalBits;
  /** Every loaded file (files with a header mismatch or no rows hold no accepted row). */
  readonly files: readonly AcceptedFile[];
}

/** One batch of accepted rows and the index of the input it came from. */
export interface AcceptedBatch {
  /** Accepted rows (contract schema). */
  readonly batch: arrow.RecordBatch;
  /** Index of the input every row came from. */
  readonly file: number;
}

/**
 * Reads the accepted rows again, file by file, in input order, as batches of at most the dataset's
 * `batchRows` rows. Throws `InputFileError` when a file changed since it was validated.
 */
export async function* readAccepted(contract: DatasetContract, inputs: readonly CsvInput[], accepted: AcceptedRows): AsyncGenerator<AcceptedBatch> {
  const specs = contract.columns.map((c) => c.spec);
  for await (const { file, base, csv } of rereadFiles(contract, inputs, accepted.files)) {
    const take = accepted.bits.take(base, csv.rowCount);
    if (take !== undefined && take.length === 0) continue;
    yield { batch: buildRecordBatch(contract.arrowSchema, decodeBatch(csv, specs, file.fields), take), file: file.file };
  }
}
