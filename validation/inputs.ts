/** Raw files handed to the validator: a URI for the record, and a way to (re)open the bytes. */
import { bytesSource, fileSource } from './csv/index.js';

/** One raw CSV file (plain or gzip). */
export interface CsvInput {
  /** The file's URI, recorded as `source_uri` in the quarantine and in messages. */
  readonly uri: string;
  /**
   * Opens the file's bytes as a stream of chunks. Called once to validate the file, once more to hand
   * out its accepted rows (the bytes must be the same: a changed file is an `InputFileError`), and once
   * more when a row's key was also seen in an earlier batch (to settle which row wins).
   */
  open(): AsyncIterable<Uint8Array>;
}

/** A file on the local disk. */
export function fileInput(path: string, uri: string = path): CsvInput {
  return { uri, open: () => fileSource(path) };
}

/** Bytes or text already in memory (tests, small drops). */
export function bytesInput(uri: string, data: Uint8Array | string, chunkSize?: number): CsvInput {
  return { uri, open: () => bytesSource(data, chunkSize) };
}
