/**
 * Reading a dataset's loaded files a second time, batch by batch, with the ordinal of each batch's first
 * row: how accepted rows are handed out without being kept (`readAccepted`), and how a contest finds
 * the rows it needs again (`dataset-validator.ts`). A file must read as validation read it: the same
 * header, the same number of rows and, when read to its end, the same bytes; else `InputFileError`.
 */
import { CsvFormatError, openCsv, type CsvBatch } from './csv/index.js';
import type { DatasetContract } from './define-dataset.js';
import { InputFileError } from './errors.js';
import { matchHeader } from './header-check.js';
import { emptyFingerprint, fingerprinted, sameFingerprint, type Fingerprint } from './input-fingerprint.js';
import type { CsvInput } from './inputs.js';

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

/** One batch of a loaded file, read again. */
export interface RereadBatch {
  /** The file it is from. */
  readonly file: AcceptedFile;
  /** Ordinal of the batch's first row. */
  readonly base: number;
  /** The batch (reused by the reader: done with it before the next one is asked for). */
  readonly csv: CsvBatch;
}

/**
 * The non-empty batches of `files` read again, in order, except the files `skip` says are not needed
 * (asked about each file once, in order).
 * The caller may stop early (its `break` closes the file being read).
 */
export async function* rereadFiles(
  contract: DatasetContract,
  inputs: readonly CsvInput[],
  files: readonly AcceptedFile[],
  skip: (file: AcceptedFile) => boolean = () => false,
): AsyncGenerator<RereadBatch> {
  const names = contract.columns.map((c) => c.name);
  for (const file of files) {
    if (skip(file)) continue;
    const input = inputs[file.file]!;
    const changed = (why: string) => new InputFileError(input.uri, `the file changed while it was being loaded (${why})`);
    const seen = emptyFingerprint();
    try {
      const reader = await openCsv(fingerprinted(input.open(), seen), { ...contract.csv, reuseBatches: true });
      const match = reader.header === undefined ? undefined : matchHeader(reader.header, names);
      if (match === undefined || !match.ok || match.fields.some((f, i) => f !== file.fields[i])) throw changed('its header is different');
      let base = file.ordinalStart;
      for await (const csv of reader) {
        const n = csv.rowCount;
        if (n === 0) continue;
        if (base + n > file.ordinalEnd) throw changed('it has more rows');
        yield { file, base, csv };
        base += n;
      }
      if (base !== file.ordinalEnd) throw changed('it has fewer rows');
      if (!sameFingerprint(seen, file.fingerprint)) throw changed('its bytes are different');
    } catch (err) {
      if (err instanceof CsvFormatError) throw new InputFileError(input.uri, err.message, { cause: err });
      throw err;
    }
  }
}
