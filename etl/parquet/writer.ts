/**
 * Rolling Parquet writer: buffers Arrow record batches, keeps their statistics up to date, and writes
 * one Parquet file through the object store each time the buffered Arrow bytes reach the target size.
 */
import { RecordBatch, type Schema, Table } from 'apache-arrow';
import { UsageError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { arrowByteSize } from './byte-size.js';
import { readColumnSizes } from './column-sizes.js';
import { DEFAULT_TARGET_FILE_SIZE, encodeParquet, writerProperties } from './encode.js';
import { encodeParquetOffThread, encoderRoom, encoderThreadEnabled, openEncodeSession, type EncodedFile, type EncodeSession } from './encode-worker.js';
import { chooseEncodings } from './encoding-choice.js';
import { assertBatchMatchesSchema } from './schema-check.js';
import { computeStats, mergeStats } from './stats.js';
import type { ColumnStats, ParquetWriteOptions, WrittenFile } from './types.js';

export { encodeParquet } from './encode.js';

/** The file being filled. */
interface Pending {
  /** Batches not handed to the encoder yet. */
  batches: RecordBatch[];
  /** Statistics of every row of the file. */
  stats: Record<string, ColumnStats>;
  /** Rows of the file. */
  rows: number;
  /** In-memory Arrow bytes of every row of the file (for `targetFileSize`). */
  bytes: number;
  /** Arrow bytes of `batches`. */
  held: number;
  /** The file's encoding on the encoder thread, once it streams. */
  session?: EncodeSession;
}

/** A file encoded but not stored (its put failed): stored by the next flush or close. */
interface Unstored {
  sequence: number;
  encoded: EncodedFile;
  stats: Record<string, ColumnStats>;
  rows: number;
}

/** Rows of a file after which it streams to the encoder thread (its encodings are chosen then). */
const STREAM_AFTER_ROWS = 16_384;
/** Arrow bytes of a file after which it streams to the encoder thread. */
const STREAM_AFTER_BYTES = 4 * 1024 * 1024;
/** Arrow bytes a streaming file gathers before handing them to the encoder thread. */
const SEND_BYTES = 1024 * 1024;

/**
 * Writes record batches of one schema as a sequence of Parquet files of about `targetFileSize`
 * in-memory Arrow bytes each (the files themselves are smaller: they are encoded and compressed).
 * Call `write` for every batch, then `close`. Await each call; overlapping calls are nonetheless
 * safe: each flush takes the buffer it found and writes it under a fresh key, and `close` waits for
 * flushes under way. A file is encoded in one go when it is flushed. With the encoder thread on
 * (`encode-worker.ts`, `LAKEHOUSE_PARQUET_WORKER=1`) that happens there while the caller goes on, and a
 * file past 16,384 rows (or 4 MiB) streams there in slices of about 1 MiB as it fills, so only those
 * slices are held here; it is finished when it reaches `targetFileSize` or is flushed.
 *
 * If encoding or the `put` of a file that did not stream fails, its batches go back to the front of
 * the buffer; if the `put` of a streamed file fails, its bytes are kept. The error propagates (from
 * `flush`, or for a file finished in the background from the next `write`, `flushSoon` or `close`)
 * and a later `flush` or `close` tries again under a new key. A streamed file whose encoding fails
 * is lost: `close` throws.
 */
export class ParquetFileWriter {
  private readonly targetFileSize: number;
  private pending: Pending = emptyPending();
  private dictionaries = new WeakSet<object>();
  /** Files written, by sequence number (a failed file leaves a hole). */
  private readonly files: WrittenFile[] = [];
  private nextSequence = 0;
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;
  private failure: unknown;
  private lost: unknown;
  private readonly unstored: Unstored[] = [];

  /**
   * @param store Where the files go.
   * @param schema The exact schema every batch must have (names, order, types); its field metadata
   *   (e.g. `PARQUET:field_id`) is what the files carry.
   * @param nextKey Returns the store key of the next file; called once per file, just before its put.
   * @param options Codec, row group size, target file size.
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly schema: Schema,
    private readonly nextKey: () => string,
    private readonly options: ParquetWriteOptions = {},
  ) {
    const target = options.targetFileSize ?? DEFAULT_TARGET_FILE_SIZE;
    if (!(target > 0)) throw new UsageError(`targetFileSize must be positive, got ${String(target)}`);
    this.targetFileSize = target;
    writerProperties(options).free(); // validate codec and row group size now rather than at the first flush
  }

  /** In-memory Arrow bytes held for the next file (see `arrowByteSize`; not those streamed to the encoder). */
  get bufferedBytes(): number {
    return this.pending.held;
  }

  /** Rows of the next file not written yet. */
  get bufferedRows(): number {
    return this.pending.rows;
  }

  /**
   * Where the next row written goes: the sequence number of its file (0 for this writer's first file;
   * see `sequenceOf`) and its row in that file. Holds while no write fails.
   */
  get nextRow(): { file: number; row: number } {
    return { file: this.nextSequence, row: this.pending.rows };
  }

  /** The sequence number of a file this writer returned (its position among the files it started). */
  sequenceOf(file: WrittenFile): number {
    return this.files.indexOf(file);
  }

  /**
   * Buffer `batch` (after checking it against the schema: `SchemaMismatchError` names the column)
   * and write a file when the buffer reaches `targetFileSize`. Empty batches are ignored.
   */
  async write(batch: RecordBatch): Promise<void> {
    if (this.closed) throw new UsageError('ParquetFileWriter.write after close');
    this.rethrow();
    assertBatchMatchesSchema(batch, this.schema);
    if (batch.numRows === 0) return;
    // Relabel with the writer's schema: its field metadata and dictionary ids go into the file.
    const own = new RecordBatch(this.schema, batch.data);
    const p = this.pending;
    p.stats = p.rows === 0 ? computeStats(own) : mergeStats(p.stats, computeStats(own));
    p.batches.push(own);
    p.rows += own.numRows;
    let size = 0;
    for (const column of own.data.children) size += arrowByteSize(column, this.dictionaries);
    p.bytes += size;
    p.held += size;
    if (p.bytes >= this.targetFileSize) await this.flushSoon();
    else if (p.session === undefined ? p.rows >= STREAM_AFTER_ROWS || p.bytes >= STREAM_AFTER_BYTES : p.held >= SEND_BYTES) await this.send();
  }

  /**
   * Frees the memory held for the next file without ending it when it can stream to the encoder
   * thread (hands its batches over); otherwise flushes it (`flushSoon`).
   */
  async relieve(): Promise<void> {
    if (!(await this.send())) await this.flushSoon();
  }

  /** Hands the held batches to the file's encoding (starting it); false when the encoder thread is off. */
  private async send(): Promise<boolean> {
    const p = this.pending;
    if (p.session === undefined) {
      if (!encoderThreadEnabled()) return false;
      const session = openEncodeSession(this.encodingOptions(p));
      if (session === undefined) return false;
      p.session = session;
    }
    const batches = p.batches;
    if (batches.length === 0) return true;
    p.batches = [];
    p.held = 0;
    const sending = p.session.append(new Table(this.schema, batches));
    this.inflight.add(sending);
    try {
      await sending;
    } finally {
      this.inflight.delete(sending);
    }
    return true;
  }

  /** The writer's options with the encodings chosen from the file's first batches (see `chooseEncodings`). */
  private encodingOptions(p: Pending): ParquetWriteOptions {
    return { ...this.options, ...chooseEncodings(this.schema, p.batches, this.options) };
  }

  /**
   * Start writing everything buffered as one file and return once the encoder thread has taken it
   * (waiting for room there), without waiting for the file itself; its failure surfaces later.
   */
  async flushSoon(): Promise<void> {
    this.rethrow();
    const taken = this.take();
    if (taken === undefined) return;
    const handing = (async () => {
      await encoderRoom();
      this.writeTaken(taken).catch((err: unknown) => {
        this.failure ??= err;
      });
    })();
    this.inflight.add(handing);
    try {
      await handing;
    } finally {
      this.inflight.delete(handing);
    }
  }

  /** Waits until no file is under way (a file handed over may start another wait). */
  private async settle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Throws (once) the failure of a file written in the background. */
  private rethrow(): void {
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    throw failure;
  }

  /** Write everything buffered as one file now; `undefined` when nothing is buffered. */
  async flush(): Promise<WrittenFile | undefined> {
    const taken = this.take();
    return taken === undefined ? undefined : this.writeTaken(taken);
  }

  /** Takes the buffer for the next file (with its sequence number); undefined when empty. */
  private take(): { pending: Pending; sequence: number } | undefined {
    const pending = this.pending;
    if (pending.rows === 0) return undefined;
    this.pending = emptyPending();
    this.dictionaries = new WeakSet();
    return { pending, sequence: this.nextSequence++ };
  }

  /** Writes a taken buffer as a file; on failure its batches go back to the front of the buffer. */
  private async writeTaken({ pending: taken, sequence }: { pending: Pending; sequence: number }): Promise<WrittenFile> {
    const writing = this.writeFile(taken, sequence);
    this.inflight.add(writing);
    try {
      const file = await writing;
      this.files[sequence] = file;
      return file;
    } catch (err) {
      // Rows not encoded yet go back to the buffer; an encoded file whose put failed waits in `unstored`.
      if (taken.session === undefined && taken.batches.length > 0) this.restore(taken);
      throw err;
    } finally {
      this.inflight.delete(writing);
    }
  }

  /** Stores the files whose put failed earlier, under new keys. */
  private async storeUnstored(): Promise<void> {
    while (this.unstored.length > 0) {
      const u = this.unstored[0]!;
      this.files[u.sequence] = await this.put(u.encoded, u.stats, u.rows);
      this.unstored.shift();
    }
  }

  /**
   * Wait for flushes still under way, flush, then return every file this writer wrote, in the order
   * written. Later writes throw. If a file fails, `close` may be retried: rows not yet encoded stay
   * buffered, and a file encoded but not stored is stored under a new key.
   */
  async close(): Promise<WrittenFile[]> {
    if (!this.closed) {
      await this.settle();
      this.rethrow();
      if (this.lost !== undefined) throw this.lost;
      await this.storeUnstored();
      await this.flush();
      this.closed = true;
    }
    return this.files.filter((f) => f !== undefined);
  }

  /** Gives up: waits for files under way, drops what is buffered, and returns the files written so far. Later writes throw. */
  async abandon(): Promise<WrittenFile[]> {
    this.closed = true;
    const session = this.pending.session;
    this.pending = emptyPending();
    await session?.abort();
    await this.settle();
    this.failure = undefined;
    return this.files.filter((f) => f !== undefined);
  }

  private async writeFile(taken: Pending, sequence: number): Promise<WrittenFile> {
    const session = taken.session;
    let encoded: EncodedFile;
    if (session === undefined) {
      // Once encoded, the bytes stand for the rows (a failed put is retried from them): the rows are
      // dropped at once, as a writer that flushes faster than its files are stored would otherwise hold
      // every one of them.
      if (encoderThreadEnabled()) {
        encoded = await encodeParquetOffThread(new Table(this.schema, taken.batches), this.encodingOptions(taken));
        taken.batches = [];
      } else {
        const bytes = encodeParquet(new Table(this.schema, taken.batches), this.encodingOptions(taken));
        taken.batches = [];
        encoded = { bytes, columnSizes: await readColumnSizes(bytes) };
      }
    } else {
      try {
        if (taken.batches.length > 0) await session.append(new Table(this.schema, taken.batches));
        taken.batches = [];
        encoded = await session.finish();
      } catch (err) {
        this.lost ??= err;
        throw err;
      }
    }
    try {
      return await this.put(encoded, taken.stats, taken.rows);
    } catch (err) {
      this.unstored.push({ sequence, encoded, stats: taken.stats, rows: taken.rows });
      throw err;
    }
  }

  private async put(encoded: EncodedFile, stats: Record<string, ColumnStats>, rows: number): Promise<WrittenFile> {
    const key = this.nextKey();
    await this.store.put(key, encoded.bytes);
    return { key, size: encoded.bytes.byteLength, numRecords: rows, stats, columnSizes: encoded.columnSizes };
  }

  /** Put the batches of a failed file back in front of whatever was buffered meanwhile. */
  private restore(taken: Pending): void {
    const now = this.pending;
    this.pending = {
      batches: [...taken.batches, ...now.batches],
      stats: now.rows === 0 ? taken.stats : mergeStats(taken.stats, now.stats),
      rows: taken.rows + now.rows,
      bytes: taken.bytes + now.bytes,
      held: taken.held + now.held,
      ...(now.session ? { session: now.session } : {}),
    };
  }
}

/**
 * Write a stream of batches as Parquet files (see `ParquetFileWriter`) and return the files written.
 * Holds at most about one file's worth of batches in memory.
 */
export async function writeParquetStream(
  store: ObjectStore,
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  nextKey: () => string,
  options: ParquetWriteOptions = {},
): Promise<WrittenFile[]> {
  const writer = new ParquetFileWriter(store, schema, nextKey, options);
  for await (const batch of batches) await writer.write(batch);
  return writer.close();
}

function emptyPending(): Pending {
  return { batches: [], stats: {}, rows: 0, bytes: 0, held: 0 };
}

