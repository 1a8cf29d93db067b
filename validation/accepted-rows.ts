/**
 * The accepted rows of a dataset, handed out by reading their files a second time: validation keeps one
 * bit per row (`OrdinalBits`) instead of the rows, so memory stays flat in the input size. Each file's
 * rows are decoded again and the accepted ones built into Arrow batches, one file at a time.
 */
import type * as arrow from 'apache-arrow';
import { buildRecordBatch } from './arrow-build.js';
import { CsvFormatError, openCsv } from './csv/index.js';
import { decodeBatch } from './decoded-batch.js';
import type { DatasetContract } from './define-dataset.js';
import { InputFileError } from './errors.js';
import { matchHeader } from './header-check.js';
import { emptyFingerprint, fingerprinted, sameFingerprint, type Fingerprint } from './input-fingerprint.js';
import type { CsvInput } from './inputs.js';
import type { OrdinalBits } from './ordinal-bits.js';

/** Where the rows of one loaded file are. */
export interface AcceptedFile {
  /** Index of the input. */
  readonly file: number;
  /** Ordinal of the file's first well-formed row. */
  readonly ordinalStart: number;
  /** Ordinal past its last well-formed row. */
  readonly ordinalEnd: number;
  /** CSV column of each contract column. */
  readonly fields: readonly number[];
  /** The file's bytes as validation read them. */
  readonly fingerprint: Fingerprint;
}

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
  const names = contract.columns.map((c) => c.name);
  for (const af of accepted.files) {
    const input = inputs[af.file]!;
    const changed = (why: string) => new InputFileError(input.uri, `the file changed while it was being loaded (${why})`);
    const seen = emptyFingerprint();
    try {
      const reader = await openCsv(fingerprinted(input.open(), seen), { ...contract.csv, reuseBatches: true });
      const match = reader.header === undefined ? undefined : matchHeader(reader.header, names);
      if (match === undefined || !match.ok || match.fields.some((f, i) => f !== af.fields[i])) throw changed('its header is different');
      let base = af.ordinalStart;
      for await (const csv of reader) {
        const n = csv.rowCount;
        if (n === 0) continue;
        if (base + n > af.ordinalEnd) throw changed('it has more rows');
        const take = accepted.bits.take(base, n);
        base += n;
        if (take !== undefined && take.length === 0) continue;
        yield { batch: buildRecordBatch(contract.arrowSchema, decodeBatch(csv, specs, af.fields), take), file: af.file };
      }
      if (base !== af.ordinalEnd) throw changed('it has fewer rows');
      if (!sameFingerprint(seen, af.fingerprint)) throw changed('its bytes are different');
    } catch (err) {
      if (err instanceof CsvFormatError) throw new InputFileError(input.uri, err.message, { cause: err });
      throw err;
    }
  }
}
