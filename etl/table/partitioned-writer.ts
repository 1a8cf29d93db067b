/**
 * One rolling Parquet writer per partition, within a memory budget: when the bytes buffered across all
 * open partitions exceed the budget, the partition holding the most is flushed as a file.
 */
import type * as arrow from 'apache-arrow';
import { ParquetFileWriter } from '../parquet/writer.js';
import type { ParquetWriteOptions, WrittenFile } from '../parquet/types.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Options of a partitioned writer. */
export interface PartitionedWriterOptions extends ParquetWriteOptions {
  /** Buffered bytes across all open partitions before the largest is flushed (default 256 MiB). */
  memoryBudget?: number;
}

/** Default memory budget of a partitioned write. */
export const DEFAULT_MEMORY_BUDGET = 256 * 1024 * 1024;

/** A file written for one partition. */
export interface PartitionFile<P> {
  /** The file. */
  file: WrittenFile;
  /** The partition it belongs to, as given to `write`. */
  partition: P;
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

  /** Flush every partition and return all files written (each once), partition by partition. */
  async close(): Promise<PartitionFile<P>[]> {
    const out: PartitionFile<P>[] = [];
    // A writer's `close` returns every file it wrote, including those flushed earlier by size or budget.
    for (const open of this.writers.values()) {
      for (const file of await open.writer.close()) out.push({ file, partition: open.partition });
    }
    return out;
  }

  private async enforceBudget(): Promise<void> {
    let total = 0;
    for (const open of this.writers.values()) total += open.writer.bufferedBytes;
    while (total > this.budget) {
      let largest: Open<P> | undefined;
      for (const open of this.writers.values()) if (!largest || open.writer.bufferedBytes > largest.writer.bufferedBytes) largest = open;
      if (!largest || largest.writer.bufferedBytes === 0) break;
      total -= largest.writer.bufferedBytes;
      await largest.writer.flush();
    }
  }
}
