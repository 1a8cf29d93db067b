/** Fields and rows of a batch as text, for messages and slow paths (these create strings). */
import { FIELD_ESCAPED, FIELD_QUOTED, type CsvBatch } from './csv-batch.js';
import { unescapeQuotes } from './csv-tokenizer.js';
import { columnFields, isNullField } from './decoded-column.js';

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Field (row, col) of `batch` as text (doubled quotes unescaped), or null when it is null. */
export function readField(batch: CsvBatch, row: number, col: number): string | null {
  const { starts, ends, flags } = columnFields(batch, col);
  const s = starts[row]!;
  const e = ends[row]!;
  const f = flags[row]!;
  if (isNullField(batch.bytes, s, e, f, batch.nullToken)) return null;
  const text = utf8.decode(batch.bytes.subarray(s, e));
  return (f & FIELD_ESCAPED) !== 0 ? unescapeQuotes(text, batch.quote) : text;
}

/** The original text of good row `row` of `batch` (quotes and delimiters included, line break excluded). */
export function rowText(batch: CsvBatch, row: number): string {
  const first = columnFields(batch, 0);
  const last = columnFields(batch, batch.columns.length - 1);
  const s = first.starts[row]! - ((first.flags[row]! & FIELD_QUOTED) !== 0 ? 1 : 0);
  const e = last.ends[row]! + ((last.flags[row]! & FIELD_QUOTED) !== 0 ? 1 : 0);
  return utf8.decode(batch.bytes.subarray(s, e));
}
