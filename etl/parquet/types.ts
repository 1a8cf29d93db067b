/** Shared types of the Parquet layer. */

/** Compression codec for written files. */
export type Codec = 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'uncompressed';

/** Options of the Parquet writer. */
export interface ParquetWriteOptions {
  /** Codec; zstd by default. */
  codec?: Codec;
  /** Maximum rows per row group; 131,072 by default. */
  rowGroupSize?: number;
  /** A file is closed and a new one started once about this many bytes were buffered; 128 MiB by default. */
  targetFileSize?: number;
  /** Columns written without dictionary encoding (plain); the writer adds mostly-distinct string columns itself. */
  plainColumns?: string[];
  /**
   * Integer, date or timestamp columns written DELTA_BINARY_PACKED without a dictionary (every reader
   * of Parquet 2 encodings decodes it); the writer adds every such column itself unless a dictionary
   * pays (see `encoding-choice.ts`).
   */
  deltaColumns?: string[];
}

/**
 * Minimum and maximum of a column in one file, as plain values: number for 8-32 bit ints, floats and
 * dates (days since epoch); bigint for 64-bit ints and timestamps (microseconds since epoch, UTC);
 * string for strings; boolean for booleans. Absent when the column holds only nulls (or NaN only).
 */
export interface ColumnStats {
  /** Number of nulls in the column. */
  nullCount: number;
  /** Smallest non-null value. */
  min?: number | bigint | string | boolean;
  /** Largest non-null value. */
  max?: number | bigint | string | boolean;
}

/** One Parquet file the writer produced. */
export interface WrittenFile {
  /** Key of the file in the store. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Rows in the file. */
  numRecords: number;
  /** Per top-level column statistics, by column name. */
  stats: Record<string, ColumnStats>;
  /** Per top-level column compressed size in bytes, by column name (for Iceberg column_sizes). */
  columnSizes?: Record<string, number>;
}
