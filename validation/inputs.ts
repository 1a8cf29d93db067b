/** Raw files handed to the validator: a URI for the record, and a way to (re)open the bytes. */
import { bytesSource } from './csv/index.js';
import { LocalFileSource } from './csv/local-file-source.js';

/** One raw CSV file (plain or gzip). */
export interface CsvInput {
  /** The file's URI, recorded as `source_uri` in the quarantine and in messages. */
  readonly uri: string;
  /**
   * Opens the file's bytes as a stream of chunks. Called once to validate the file; when a row's key
   * was also seen in an earlier batch, once more to settle which row wins and once more to hand out the
   * accepted rows (the bytes must be the same: a changed file is an `InputFileError`). A
   * `LocalFileSource` lets a worker thread read the file itself.
   */
  open(): AsyncIterable<Uint8Array>;
}

/** A file on the local disk. */
export function fileInput(path: string, uri: string = path): CsvInput {
  return { uri, open: () => new LocalFileSource(path) };
}

/** Bytes or text already in memory (tests, small drops). */
export function bytesInput(uri: string, data: Uint8Array | string, chunkSize?: number): CsvInput {
  return { uri, open: () => bytesSource(data, chunkSize) };
}
