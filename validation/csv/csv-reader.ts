/**
 * `openCsv`: reads the header up front, then yields `CsvBatch`es. Gzip input (first bytes 1f 8b) is
 * decompressed on the fly with zlib.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { CsvBatch } from './csv-batch.js';
import { CsvFormatError } from './csv-errors.js';
import type { CsvOptions } from './csv-options.js';
import { CsvTokenizer } from './csv-tokenizer.js';
import { UsageError } from '../../etl/errors.js';

/** An open CSV file. Iterate it once to get its batches. */
export interface CsvReader {
  /** Header names, or undefined when the input has no non-blank row at all (e.g. an empty file). */
  readonly header: string[] | undefined;
  /** 1-based line of the header row; 0 when there is none. */
  readonly headerLine: number;
  /** The batches, in file order. Breaking out of the loop releases the source. */
  [Symbol.asyncIterator](): AsyncIterator<CsvBatch>;
}

/** Options of `openCsv` beyond the CSV dialect. */
export interface CsvReaderOptions extends CsvOptions {
  /**
   * Reuse each batch's memory once the loop asks for the next batch (default false). Faster on long
   * loads, but then a batch, and every array taken from it, is valid only until the next iteration:
   * decode what you need before moving on.
   */
  reuseBatches?: boolean;
}

/** Most bytes one gunzip output chunk holds. */
const GUNZIP_CHUNK = 1 << 18;

/**
 * Opens a CSV source: reads until the header row is known (or the input ends), so `header` is set on return.
 * Throws `UsageError` for bad options and `CsvFormatError` for a malformed header or a corrupt gzip stream.
 */
export async function openCsv(source: AsyncIterable<Uint8Array>, options: CsvReaderOptions = {}): Promise<CsvReader> {
  const { reuseBatches = false, ...dialect } = options;
  const tokenizer = new CsvTokenizer(dialect);
  const chunks = decompressIfGzip(source)[Symbol.asyncIterator]();
  const pending: CsvBatch[] = [];
  let done = false;
  try {
    while (tokenizer.header === undefined && !done) {
      const next = await chunks.next();
      if (next.done) {
        pending.push(...tokenizer.finish());
        done = true;
      } else {
        pending.push(...tokenizer.push(next.value));
      }
    }
  } catch (err) {
    if (!done) await chunks.return?.(undefined).catch(() => undefined);
    throw err;
  }

  async function* batches(): AsyncGenerator<CsvBatch> {
    try {
      const give = function* (list: CsvBatch[]): Generator<CsvBatch> {
        for (const b of list) {
          yield b;
          if (reuseBatches) tokenizer.recycle(b);
        }
      };
      yield* give(pending.splice(0));
      while (!done) {
        const next = await chunks.next();
        if (next.done) {
          done = true;
          yield* give(tokenizer.finish());
        } else {
          yield* give(tokenizer.push(next.value));
        }
      }
    } finally {
      if (!done) await chunks.return?.(undefined);
    }
  }

  let iterated = false;
  return {
    header: tokenizer.header,
    headerLine: tokenizer.headerLine,
    [Symbol.asyncIterator]() {
      if (iterated) throw new UsageError('a CsvReader can be iterated only once');
      iterated = true;
      return batches();
    },
  };
}

/** Passes `source` through unchanged, or through gunzip when it starts with the gzip magic bytes 1f 8b. */
export async function* decompressIfGzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes < 2) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    if (next.value.length === 0) continue;
    head.push(next.value);
    headBytes += next.value.length;
  }
  const first = head[0];
  const b0 = first?.[0];
  const b1 = first === undefined ? undefined : first.length > 1 ? first[1] : head[1]?.[0];
  let sourceDone = ended;
  /** The whole input again, head first; releases the source if it is stopped early. */
  async function* rest(): AsyncGenerator<Uint8Array> {
    try {
      yield* head;
      while (!sourceDone) {
        const next = await it.next();
        if (next.done) sourceDone = true;
        else yield next.value;
      }
    } finally {
      if (!sourceDone) {
        sourceDone = true;
        await it.return?.();
      }
    }
  }
  if (b0 !== 0x1f || b1 !== 0x8b) {
    yield* rest();
    return;
  }
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  const input = Readable.from(rest(), { objectMode: false });
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new CsvFormatError(`corrupt gzip stream: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
