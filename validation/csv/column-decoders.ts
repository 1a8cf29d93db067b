/** Every column decoder, in one place: typed arrays straight from a batch's bytes. */
export { type DecodedColumn, isNullField } from './decoded-column.js';
export { decodeInt32, decodeInt64, parseInt32At } from './decode-integers.js';
export { decodeFloat64, parseFloat64At } from './decode-float.js';
export { decodeBool, parseBoolAt } from './decode-bool.js';
export { decodeDate, decodeTimestamp, parseDateAt, parseTimestampAt, daysFromCivil } from './decode-temporal.js';
export { decodeString, decodeDictionary, DEFAULT_MAX_DICTIONARY, type DictionaryValues } from './decode-strings.js';
export { readField, rowText } from './field-text.js';
