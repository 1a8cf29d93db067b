/**
 * One rolling Parquet writer per partition, within a memory budget: when the bytes held across all
 * open partitions exceed the budget, the partition holding the most hands them to the encoder thread
 * (or, with the encoder thread off, is flushed as a file).
 */
import type * as arrow from 'apache-arrow';
import { ParquetFileWriter } from '../parquet/writer.js';
import type { ParquetWriteOptions, WrittenFile } from '../parquet/types.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Options of a partitioned writer. */
export interface PartitionedWriterOptions extends ParquetWriteOptions {
  /** Bytes held across all open partitions before the largest is handed to the encoder or flushed (default 64 MiB). */
  memoryBudget?: number;
}

/** Default memory budget of a partitioned write. */
export const DEFAULT_MEMORY_BUDGET = 64 * 1024 * 1024;

/** A file written for one partition. */
export interface PartitionFile<P> {
  /** The file. */
  file: WrittenFile;
  /** The partition it belongs to, as given to `write`. */
  partition: P;
  /** The partition's id, as given to `write`. */
  id: string;
  /** Its sequence number among the partition's files (see `nextRow`). */
  sequence: number;
}

interface Open<P> {
  partition: P;
  writer: ParquetFileWriter;
}

/** Writes batches of one schema into Parquet files per partition. Await each call. */
export class PartitionedParquetWriter<P> {
  private readonly writers = new Map<string, Open<P>>();
  private readonly budget: number;

  /**
   * @param store Where the files go.
   * @param schema The schema of every batch (and of the files, field metadata included).
   * @param keyFactory Given a partition, returns the function naming its next file (called once per partition).
   * @param options Parquet options and the memory budget.
   */
  constructor(
    private readonly store: ObjectStore,
    private readonly schema: arrow.Schema,
    private readonly keyFactory: (partition: P) => () => string,
    private readonly options: PartitionedWriterOptions = {},
  ) {
    this.budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
  }

  /** Buffer `batch` for the partition identified by `id` (described by `partition`), flushing as the budget requires. */
  async write(id: string, partition: P, batch: arrow.RecordBatch): Promise<void> {
    let open = this.writers.get(id);
    if (!open) {
      open = { partition, writer: new ParquetFileWriter(this.store, this.schema, this.keyFactory(partition), this.options) };
      this.writers.set(id, open);
    }
    await open.writer.write(batch);
    await this.enforceBudget();
  }

  /** Where the next row written for partition `id` goes: its file's sequence number within the partition, and its row there. */
  nextRow(id: string): { file: number; row: number } {
    return this.writers.get(id)?.writer.nextRow ?? { file: 0, row: 0 };
  }

  /** Flush every partition and return all files written (each once), partition by partition. */
  async close(): Promise<PartitionFile<P>[]> {
    const out: PartitionFile<P>[] = [];
    // Hand every partition's last file to the encoder first, so that encoding overlaps the handing over.
    for (const open of this.writers.values()) await open.writer.flushSoon();
    // A writer's `close` returns every file it wrote, including those flushed earlier by size or budget.
    for (const [id, open] of this.writers) {
      for (const file of await open.writer.close()) out.push({ file, partition: open.partition, id, sequence: open.writer.sequenceOf(file) });
    }
    return out;
  }

  /** Gives up: waits for files under way and returns the keys of every file written so far (to delete them); buffered rows are dropped. */
  async abandon(): Promise<string[]> {
    const keys: string[] = [];
    for (const open of this.writers.values()) keys.push(...(await open.writer.abandon()).map((f) => f.key));
    return keys;
  }

  private async enforceBudget(): Promise<void> {
    let total = 0;
    for (const open of this.writers.values()) total += open.writer.bufferedBytes;
    while (total > this.budget) {
      let largest: Open<P> | undefined;
      for (const open of this.writers.values()) if (!largest || open.writer.bufferedBytes > largest.writer.bufferedBytes) largest = open;
      if (!largest || largest.writer.bufferedBytes === 0) break;
      total -= largest.writer.bufferedBytes;
      await largest.writer.relieve();
    }
  }
}
