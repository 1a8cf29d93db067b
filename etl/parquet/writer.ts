/**
 * Rolling Parquet writer: buffers Arrow record batches, keeps their statistics up to date, and writes
 * one Parquet file through the object store each time the buffered Arrow bytes reach the target size.
 */
import { DataType, RecordBatch, type Schema, Table } from 'apache-arrow';
import { UsageError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { arrowByteSize } from './byte-size.js';
import { readColumnSizes } from './column-sizes.js';
import { DEFAULT_TARGET_FILE_SIZE, encodeParquet, writerProperties } from './encode.js';
import { assertBatchMatchesSchema } from './schema-check.js';
import { computeStats, mergeStats } from './stats.js';
import type { ColumnStats, ParquetWriteOptions, WrittenFile } from './types.js';

export { encodeParquet } from './encode.js';

/** What is buffered for the next file. */
interface Pending {
  batches: RecordBatch[];
  stats: Record<string, ColumnStats>;
  rows: number;
  bytes: number;
}

/**
 * Writes record batches of one schema as a sequence of Parquet files of about `targetFileSize`
 * in-memory Arrow bytes each (the files themselves are smaller: they are encoded and compressed).
 * Call `write` for every batch, then `close`. Await each call; overlapping calls are nonetheless
 * safe: each flush takes the buffer it found and writes it under a fresh key, and `close` waits for
 * flushes under way.
 *
 * If encoding or the `put` fails, the batches of that file go back to the front of the buffer and
 * the error propagates; a later `flush` or `close` tries again under a new key.
 */
export class ParquetFileWriter {
  private readonly targetFileSize: number;
  private pending: Pending = emptyPending();
  private dictionaries = new WeakSet<object>();
  private readonly files: WrittenFile[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;

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

  /** In-memory Arrow bytes buffered for the next file (see `arrowByteSize`). */
  get bufferedBytes(): number {
    return this.pending.bytes;
  }

  /** Rows buffered for the next file. */
  get bufferedRows(): number {
    return this.pending.rows;
  }

  /**
   * Buffer `batch` (after checking it against the schema: `SchemaMismatchError` names the column)
   * and write a file when the buffer reaches `targetFileSize`. Empty batches are ignored.
   */
  async write(batch: RecordBatch): Promise<void> {
    if (this.closed) throw new UsageError('ParquetFileWriter.write after close');
    assertBatchMatchesSchema(batch, this.schema);
    if (batch.numRows === 0) return;
    // Relabel with the writer's schema: its field metadata and dictionary ids go into the file.
    const own = new RecordBatch(this.schema, batch.data);
    const p = this.pending;
    p.stats = p.batches.length === 0 ? computeStats(own) : mergeStats(p.stats, computeStats(own));
    p.batches.push(own);
    p.rows += own.numRows;
    for (const column of own.data.children) p.bytes += arrowByteSize(column, this.dictionaries);
    if (p.bytes >= this.targetFileSize) await this.flush();
  }

  /** Write everything buffered as one file now; `undefined` when nothing is buffered. */
  async flush(): Promise<WrittenFile | undefined> {
    const taken = this.pending;
    if (taken.batches.length === 0) return undefined;
    this.pending = emptyPending();
    this.dictionaries = new WeakSet();
    const writing = this.writeFile(taken);
    this.inflight.add(writing);
    try {
      const file = await writing;
      this.files.push(file);
      return file;
    } catch (err) {
      this.restore(taken);
      throw err;
    } finally {
      this.inflight.delete(writing);
    }
  }

  /**
   * Wait for flushes still under way, flush, then return every file this writer wrote, in the order
   * written. Later writes throw. If a file fails, its rows stay buffered and `close` may be retried.
   */
  async close(): Promise<WrittenFile[]> {
    if (!this.closed) {
      await Promise.allSettled([...this.inflight]);
      await this.flush();
      this.closed = true;
    }
    return [...this.files];
  }

  private async writeFile(taken: Pending): Promise<WrittenFile> {
    const plainColumns = [...(this.options.plainColumns ?? []), ...keyLikeColumns(this.schema, taken.stats, taken.rows)];
    const bytes = encodeParquet(new Table(this.schema, taken.batches), { ...this.options, plainColumns });
    const columnSizes = await readColumnSizes(bytes);
    const key = this.nextKey();
    await this.store.put(key, bytes);
    return { key, size: bytes.byteLength, numRecords: taken.rows, stats: taken.stats, columnSizes };
  }

  /** Put the batches of a failed file back in front of whatever was buffered meanwhile. */
  private restore(taken: Pending): void {
    const now = this.pending;
    this.pending = {
      batches: [...taken.batches, ...now.batches],
      stats: now.batches.length === 0 ? taken.stats : mergeStats(taken.stats, now.stats),
      rows: taken.rows + now.rows,
      bytes: taken.bytes + now.bytes,
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
  return { batches: [], stats: {}, rows: 0, bytes: 0 };
}

/**
 * Integer columns whose values span at least half as many numbers as there are rows (ids, keys):
 * a dictionary would hold nearly every value, so plain encoding (then zstd) is smaller.
 */
export function keyLikeColumns(schema: Schema, stats: Record<string, ColumnStats>, rows: number): string[] {
  const out: string[] = [];
  for (const field of schema.fields) {
    if (!DataType.isInt(field.type)) continue;
    const s = stats[field.name];
    if (!s || s.min === undefined || s.max === undefined || rows < 1000) continue;
    const span = Number(BigInt(s.max as number | bigint) - BigInt(s.min as number | bigint)) + 1;
    if (span >= rows / 2) out.push(field.name);
  }
  return out;
}
