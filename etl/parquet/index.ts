/** The Parquet layer: encode Arrow batches to Parquet files with statistics, and read them back. */
export type { Codec, ColumnStats, ParquetWriteOptions, WrittenFile } from './types.js';
export { ParquetDecodeError, ParquetEncodeError, SchemaMismatchError } from './errors.js';
export { compareStatValues, computeColumnStats, computeStats, mergeColumnStats, mergeStats, type StatValue } from './stats.js';
export { DEFAULT_CODEC, DEFAULT_ROW_GROUP_SIZE, DEFAULT_TARGET_FILE_SIZE, encodeParquet } from './encode.js';
export { ParquetFileWriter, writeParquetStream } from './writer.js';
export { DEFAULT_READ_BATCH_SIZE, type ReadParquetOptions, readParquetFile, readParquetSchema, readParquetTable } from './reader.js';
export { normalizeBatch, normalizeToSchema } from './normalize.js';
export { coerceTableForParquet, parquetSchema } from './coerce.js';
export { readColumnSizes } from './column-sizes.js';
export { assertBatchMatchesSchema, sameType } from './schema-check.js';
export { arrowByteSize } from './byte-size.js';
