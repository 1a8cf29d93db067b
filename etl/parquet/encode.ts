/** One-shot encoding of an Arrow table to Parquet bytes with parquet-wasm. */
import { type Table, tableToIPC } from 'apache-arrow';
import {
  Compression,
  EnabledStatistics,
  Encoding,
  Table as WasmTable,
  type WriterProperties,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm/node';
import { UsageError } from '../errors.js';
import { coerceTableForParquet } from './coerce.js';
import { ParquetEncodeError } from './errors.js';
import type { Codec, ParquetWriteOptions } from './types.js';

/** Codec used when none is asked for. */
export const DEFAULT_CODEC: Codec = 'zstd';
/** Maximum rows per row group when none is asked for. */
export const DEFAULT_ROW_GROUP_SIZE = 131_072;
/** Buffered in-memory Arrow bytes at which the writer closes a file, when none is asked for (128 MiB). */
export const DEFAULT_TARGET_FILE_SIZE = 128 * 1024 * 1024;

const CODECS: Record<Codec, Compression> = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  gzip: Compression.GZIP,
  // The framed Hadoop LZ4 codec is deprecated by the Parquet format; LZ4_RAW is its replacement.
  lz4: Compression.LZ4_RAW,
  uncompressed: Compression.UNCOMPRESSED,
};

/**
 * Encode `table` as one Parquet file: timestamps and dates converted to their Parquet storage types
 * first (`coerceTableForParquet`), `PARQUET:field_id` field metadata becoming Parquet field ids,
 * dictionary encoding on except for `options.plainColumns` and `options.deltaColumns` (DELTA_BINARY_PACKED),
 * chunk and page statistics on, the codec and row group size of `options`. (The rolling writer chooses
 * those columns per file, see `encoding-choice.ts`; this one-shot function encodes as told.)
 * The whole file is built in WebAssembly memory and returned as one array.
 */
export function encodeParquet(table: Table, options: ParquetWriteOptions = {}): Uint8Array {
  const properties = writerProperties(options);
  let wasmTable: WasmTable;
  try {
    wasmTable = WasmTable.fromIPCStream(tableToIPC(coerceTableForParquet(table), 'stream'));
  } catch (err) {
    properties.free();
    throw new ParquetEncodeError(`cannot hand the table to parquet-wasm: ${messageOf(err)}`, { cause: err });
  }
  try {
    return writeParquet(wasmTable, properties); // consumes both
  } catch (err) {
    throw new ParquetEncodeError(`parquet-wasm could not encode the table: ${messageOf(err)}`, { cause: err });
  }
}

/** The parquet-wasm writer properties for `options` (see `encodeParquet` for what is fixed). */
export function writerProperties(options: ParquetWriteOptions = {}): WriterProperties {
  let builder = new WriterPropertiesBuilder()
    .setCompression(compressionOf(options))
    .setMaxRowGroupSize(rowGroupSizeOf(options))
    .setDictionaryEnabled(true)
    .setStatisticsEnabled(EnabledStatistics.Page);
  for (const column of options.plainColumns ?? []) builder = builder.setColumnDictionaryEnabled(column, false);
  for (const column of options.deltaColumns ?? []) builder = builder.setColumnDictionaryEnabled(column, false).setColumnEncoding(column, Encoding.DELTA_BINARY_PACKED);
  return builder.build();
}

/** The parquet-wasm compression of `options.codec` (zstd by default); `UsageError` for an unknown codec. */
export function compressionOf(options: ParquetWriteOptions): Compression {
  const codec = options.codec ?? DEFAULT_CODEC;
  const compression = CODECS[codec];
  if (compression === undefined) throw new UsageError(`unknown Parquet codec '${String(codec)}'`);
  return compression;
}

/** The row group size of `options`; `UsageError` unless a positive integer. */
export function rowGroupSizeOf(options: ParquetWriteOptions): number {
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new UsageError(`rowGroupSize must be a positive integer, got ${String(rowGroupSize)}`);
  }
  return rowGroupSize;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
