/** Streaming CSV reader producing columns: public API. */
export { type CsvOptions, type ResolvedCsvOptions, resolveCsvOptions, DEFAULT_BATCH_ROWS } from './csv-options.js';
export { CsvFormatError } from './csv-errors.js';
export { type CsvBatch, type CsvColumnFields, type MalformedRow, FIELD_QUOTED, FIELD_ESCAPED, FIELD_NON_ASCII } from './csv-batch.js';
export { CsvTokenizer, unescapeQuotes } from './csv-tokenizer.js';
export { openCsv, decompressIfGzip, type CsvReader, type CsvReaderOptions } from './csv-reader.js';
export { fileSource, bytesSource, splitBytes, DEFAULT_FILE_CHUNK } from './csv-sources.js';
export { findInvalidUtf8 } from './utf8-check.js';
export * from './column-decoders.js';
