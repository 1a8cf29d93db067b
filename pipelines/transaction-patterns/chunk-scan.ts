/**
 * A fast reader of one transactions chunk (valid UTF-8, quote `'`), taking only the four columns the
 * patterns use. It follows the project CSV reader's rules (`validation/csv/csv-tokenizer.ts`): a BOM is
 * skipped, rows end at LF (a CR before it is dropped), blank lines are skipped, a quoted field ends at a
 * single quote and a doubled quote stands for one, delimiters and line breaks inside quotes are data;
 * rows with a stray quote, text after a closing quote, an unclosed quote or the wrong number of fields
 * are malformed (counted as rejected, never kept).
 */
import { InputFormatError } from './errors.js';

const QUOTE = 39;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Reads rows of CSV text one at a time, keeping the fields at the wanted positions. */
class RowScanner {
  /** Offset of the next row. */
  pos: number;
  /** Fields of the current row: at the wanted slots, or all of them in order when no slots are given. */
  readonly values: string[] = [];
  /** Fields in the current row. */
  fields = 0;
  /** The current row is malformed. */
  bad = false;

  constructor(
    private readonly text: string,
    start: number,
    private readonly slots?: Int8Array,
  ) {
    this.pos = start;
  }

  private endsLine(at: number): boolean {
    const t = this.text;
    if (at >= t.length) return true;
    const c = t.charCodeAt(at);
    return c === LF || (c === CR && (at + 1 >= t.length || t.charCodeAt(at + 1) === LF));
  }

  /** Read the next non-blank row; false at the end of the text. */
  next(): boolean {
    const t = this.text;
    const n = t.length;
    while (this.pos < n && this.endsLine(this.pos)) this.pos += t.charCodeAt(this.pos) === CR && this.pos + 1 < n ? 2 : 1;
    if (this.pos >= n) return false;
    this.fields = 0;
    this.bad = false;
    if (!this.slots) this.values.length = 0;
    let pos = this.pos;
    for (;;) {
      const slot = this.slots ? (this.fields < this.slots.length ? this.slots[this.fields]! : -1) : this.fields;
      let value = '';
      if (pos < n && t.charCodeAt(pos) === QUOTE) {
        let start = ++pos;
        for (;;) {
          const q = t.indexOf("'", pos);
          if (q < 0) {
            // An unclosed quote runs to the end of the input: one malformed row.
            this.bad = true;
            this.fields++;
            this.pos = n;
            return true;
          }
          if (q + 1 < n && t.charCodeAt(q + 1) === QUOTE) {
            if (slot >= 0) value += t.slice(start, q + 1);
            pos = start = q + 2;
            continue;
          }
          if (slot >= 0) value += t.slice(start, q);
          pos = q + 1;
          break;
        }
        if (pos < n && t.charCodeAt(pos) !== COMMA && !this.endsLine(pos)) {
          this.bad = true;
          while (pos < n && t.charCodeAt(pos) !== COMMA && t.charCodeAt(pos) !== LF) pos++;
        }
      } else {
        let end = pos;
        for (; end < n; end++) {
          const c = t.charCodeAt(end);
          if (c === COMMA || c === LF) break;
          if (c === QUOTE) this.bad = true;
        }
        if (slot >= 0) value = t.slice(pos, end < n && end > pos && t.charCodeAt(end - 1) === CR ? end - 1 : end);
        pos = end;
      }
      if (slot >= 0) this.values[slot] = value;
      this.fields++;
      if (pos >= n) break;
      const c = t.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      pos += c === CR ? 2 : 1;
      break;
    }
    this.pos = pos;
    return true;
  }
}

const DECODER = new TextDecoder('utf-8', { fatal: true });

function bare(name: string): string {
  return name.trim().replace(/^["']|["']$/g, '');
}

/** The chunk's text, or undefined when it is not valid UTF-8. */
export function chunkText(bytes: Uint8Array): string | undefined {
  try {
    return DECODER.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Read the columns `names` of every row of `text` (a CSV with a header); `keep` decides from the values
 * whether a well-formed row is kept. Resolves to the kept columns and the number of rows rejected.
 */
export function scanColumns(text: string, names: readonly string[], what: string, keep: (values: readonly string[]) => boolean): { columns: string[][]; rejected: number } {
  const header = new RowScanner(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (!header.next() || header.bad) throw new InputFormatError(`${what}: the header row is missing or malformed`);
  const names0 = header.values.map(bare);
  const slots = new Int8Array(header.fields).fill(-1);
  names.forEach((name, k) => {
    const i = names0.indexOf(name);
    if (i < 0) throw new InputFormatError(`${what}: no column ${name} in header ${JSON.stringify(names0)}`);
    slots[i] = k;
  });
  const rows = new RowScanner(text, header.pos, slots);
  const columns: string[][] = names.map(() => []);
  let rejected = 0;
  while (rows.next()) {
    if (rows.bad || rows.fields !== header.fields || !keep(rows.values)) {
      rejected++;
      continue;
    }
    for (let k = 0; k < columns.length; k++) columns[k]!.push(rows.values[k]!);
  }
  return { columns, rejected };
}
