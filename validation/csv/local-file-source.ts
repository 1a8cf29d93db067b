/**
 * A file on the local disk as a byte source that says where it is: iterating it is `fileSource(path)`,
 * and a reader that runs on another thread (`openDecodedCsv`) can open the file there itself instead of
 * having the calling thread read and post every chunk.
 */
import { DEFAULT_FILE_CHUNK, fileSource } from './csv-sources.js';

/** The bytes of the file at `path`, in chunks of `chunkSize` bytes. */
export class LocalFileSource implements AsyncIterable<Uint8Array> {
  /** The file's path. */
  readonly path: string;
  /** Bytes per read. */
  readonly chunkSize: number;

  /** A source over the file at `path`; nothing is opened until it is iterated. */
  constructor(path: string, chunkSize: number = DEFAULT_FILE_CHUNK) {
    this.path = path;
    this.chunkSize = chunkSize;
  }

  /** Opens the file and streams it (see `fileSource`). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return fileSource(this.path, this.chunkSize);
  }
}
