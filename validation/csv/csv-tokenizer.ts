/**
 * Byte-level CSV state machine. Chunks may split anywhere (inside a UTF-8 character, a quoted field,
 * between CR and LF): they are appended to the current batch's buffer and scanning resumes where it stopped.
 *
 * Rules:
 * - A UTF-8 BOM at the start is skipped. Rows end at LF; a CR right before that LF is dropped. A CR
 *   anywhere else outside quotes is ordinary data. A final line without a line break is a row.
 * - The first non-blank row is the header. Blank lines (empty, or just CR) are skipped everywhere but
 *   still count for line numbers.
 * - A field starting with the quote character is quoted: it ends at a single quote, a doubled quote stands
 *   for one quote, and delimiters and line breaks inside it are data.
 * - Malformed rows never reach the columns; they are listed in `CsvBatch.malformed` and loading goes on:
 *   a quote inside an unquoted field, a character other than delimiter/line break after a closing quote,
 *   the wrong number of fields, invalid UTF-8. Once a row has an error, the rest of it is still split
 *   quote-aware (a stray quote is taken as data) so the next row starts where it should.
 * - An unclosed quote runs to the end of the input: the rest of the file is one malformed row, reported at
 *   the line its row starts on, with the line the quote opened on in the reason.
 * - A malformed header row (or invalid UTF-8 in it) throws `CsvFormatError`: nothing after it can be trusted.
 */
import { FIELD_ESCAPED, FIELD_NON_ASCII, FIELD_QUOTED, type CsvBatch, type CsvColumnFields, type MalformedRow } from './csv-batch.js';
import { CsvFormatError } from './csv-errors.js';
import { resolveCsvOptions, type CsvOptions, type ResolvedCsvOptions } from './csv-options.js';
import { findInvalidUtf8 } from './utf8-check.js';
import { UsageError } from '../../etl/errors.js';

const LF = 0x0a;
const CR = 0x0d;

// Scanner states, kept between chunks.
const S_FIELD = 0; // at the first byte of a field
const S_UNQUOTED = 1; // inside an unquoted field
const S_QUOTED = 2; // inside a quoted field
const S_QUOTE = 3; // just past a quote inside a quoted field: closing, or the first of a doubled pair
const S_QUOTE_CR = 4; // past a closing quote and a CR: only LF may follow

// Byte classes outside quotes (0 = ordinary byte).
const C_DELIM = 1;
const C_QUOTE = 2;
const C_LF = 3;
const C_HIGH = 4;
// Byte classes inside quotes.
const Q_QUOTE = 1;
const Q_LF = 2;
const Q_HIGH = 3;

// What a scan stopped for.
const MORE = 0; // every byte was consumed
const FULL = 1; // the batch is full
const HEADER = 2; // the header row was just read
const BUDGET = 3; // the row budget of the general scanner ran out

/** Most rows the general scanner takes in a row after the fast path gave up at a row start. */
const MAX_BACKOFF = 1024;

/** Most bytes appended to the buffer before scanning: keeps the copy of a partial row after a batch small. */
const APPEND_STEP = 1 << 20;

/** The full-size arrays behind one batch. */
interface BatchArrays {
  buf: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  flags: Uint8Array;
  lines: Uint32Array;
}

const lenientDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Turns a stream of byte chunks into `CsvBatch`es: feed it with `push`, end with `finish`. */
export class CsvTokenizer {
  private readonly opts: ResolvedCsvOptions;
  private readonly cls = new Uint8Array(256);
  private readonly qcls = new Uint8Array(256);

  private headerNames: string[] | undefined;
  private headerRowLine = 0;
  private headerFields: number[] = [];
  private finished = false;
  private bomChecked = false;

  // The current batch's buffer: bytes [0, len) hold it; buf[0] is at file offset `base`.
  private buf: Uint8Array = new Uint8Array(1 << 16);
  private len = 0;
  private base = 0;
  private lastBatchBytes = 0;
  private inputEnd = Number.POSITIVE_INFINITY; // file offset of the end of input, once known

  // Scanner state.
  private pos = 0;
  private state = S_FIELD;
  private fieldStart = 0;
  private fieldFlags = 0;
  private fieldIdx = 0;
  private rowStart = 0;
  private rowLine = 1;
  private rowFlags = 0;
  private line = 1;
  private quoteLine = 0;
  private quoteCol = 0;
  private errReason = '';
  private errCol = 0;

  // The current batch's fields, column-major: field (row r, column c) is at c * cap + r.
  private ncols = 0;
  private readonly cap: number;
  private starts: Uint32Array = new Uint32Array(0);
  private ends: Uint32Array = new Uint32Array(0);
  private flags: Uint8Array = new Uint8Array(0);
  private lines: Uint32Array = new Uint32Array(0);
  private rows = 0;
  private slots = 0;
  private malformed: MalformedRow[] = [];

  // Memory of handed-out batches, reusable once they come back through `recycle`.
  private readonly owned = new WeakMap<CsvBatch, BatchArrays>();
  private readonly spareBuffers: Uint8Array[] = [];
  private readonly spareFields: BatchArrays[] = [];

  /** Makes a tokenizer; `options` as for `openCsv`. Throws `UsageError` for bad options. */
  constructor(options?: CsvOptions) {
    this.opts = resolveCsvOptions(options);
    this.cap = this.opts.batchRows;
    this.cls[this.opts.delimiter] = C_DELIM;
    this.cls[this.opts.quote] = C_QUOTE;
    this.cls[LF] = C_LF;
    this.qcls[this.opts.quote] = Q_QUOTE;
    this.qcls[LF] = Q_LF;
    for (let b = 0x80; b < 0x100; b++) {
      this.cls[b] = C_HIGH;
      this.qcls[b] = Q_HIGH;
    }
  }

  /** The header names once the header row has been read; undefined before that, and for an input with no rows. */
  get header(): string[] | undefined {
    return this.headerNames;
  }

  /** 1-based line of the header row (0 while unknown). */
  get headerLine(): number {
    return this.headerRowLine;
  }

  /** The options in force, resolved. */
  get options(): ResolvedCsvOptions {
    return this.opts;
  }

  /** Feeds the next chunk of input; returns the batches it completed (often none). The chunk is copied. */
  push(chunk: Uint8Array): CsvBatch[] {
    if (this.finished) throw new UsageError('CsvTokenizer.push after finish');
    const out: CsvBatch[] = [];
    for (let off = 0; off < chunk.length; off += APPEND_STEP) {
      this.append(chunk.subarray(off, Math.min(chunk.length, off + APPEND_STEP)));
      this.drain(out);
    }
    return out;
  }

  /**
   * Hands back a batch the caller is done with, so its memory can hold a later batch: saves allocation
   * and GC work in long loads. Neither the batch nor any array taken from it may be used afterwards.
   * Batches from another tokenizer, or handed back twice, are ignored.
   */
  recycle(batch: CsvBatch): void {
    const arrays = this.owned.get(batch);
    if (arrays === undefined) return;
    this.owned.delete(batch);
    if (this.spareBuffers.length < 2) this.spareBuffers.push(arrays.buf);
    if (this.spareFields.length < 2) this.spareFields.push(arrays);
  }

  /** Ends the input: completes a last row without a line break, reports an unclosed quote, returns the last batches. */
  finish(): CsvBatch[] {
    if (this.finished) return [];
    const out: CsvBatch[] = [];
    this.bomCheck(true);
    this.drain(out);
    this.inputEnd = this.base + this.len;
    if (this.rowStart < this.len) {
      // Close the last line as if it ended with LF; an open quote swallows it and is handled below.
      this.append(Uint8Array.of(LF));
      this.drain(out);
      const end = this.inputEnd - this.base;
      if (this.rowStart < end) this.unclosedQuote(end);
      if (this.len > end) this.len = end;
    }
    this.finished = true;
    if (this.rows > 0 || this.malformed.length > 0) out.push(this.emit());
    return out;
  }

  /** Appends bytes to the buffer, keeping one spare byte past the data for the fast path's LF sentinel. */
  private append(piece: Uint8Array): void {
    const need = this.len + piece.length;
    if (need + 1 > this.buf.length) {
      const grown = new Uint8Array(Math.max(need + 1, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(piece, this.len);
    this.len = need;
    this.buf[need] = LF;
  }

  /** Skips a UTF-8 BOM; waits for 3 bytes unless the input has ended. Returns false while it cannot tell. */
  private bomCheck(atEnd: boolean): boolean {
    if (this.bomChecked) return true;
    if (this.len < 3 && !atEnd) return false;
    this.bomChecked = true;
    const b = this.buf;
    if (this.len >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      this.pos = 3;
      this.rowStart = 3;
    }
    return true;
  }

  private drain(out: CsvBatch[]): void {
    if (!this.bomCheck(false)) return;
    let backoff = 1;
    for (;;) {
      let budget = backoff;
      if (this.ncols > 0 && this.state === S_FIELD && this.fieldIdx === 0 && this.slots < this.cap) {
        // At a row start: let the fast path take the plain rows; fall back for one row it cannot take,
        // or for more rows while it keeps giving up at once (quote-heavy or non-ASCII data).
        const taken = this.fastRows();
        if (taken > 0) backoff = 1;
        else if (backoff < MAX_BACKOFF) backoff <<= 1;
        budget = taken > 0 ? 1 : backoff;
        if (this.slots >= this.cap) {
          out.push(this.emit());
          continue;
        }
      }
      const status = this.scan(budget);
      if (status === MORE) return;
      if (status === FULL) out.push(this.emit());
      else if (status === HEADER) this.startColumns();
    }
  }

  /**
   * Fast path for plain rows: ASCII, no quotes, exactly `ncols` fields. Starts at a row start and stops at
   * the first row it cannot take whole (leaving the state at that row's start), at the end of the buffer,
   * or when the batch is full. Returns the number of rows taken.
   */
  private fastRows(): number {
    const buf = this.buf;
    const len = this.len;
    const cls = this.cls;
    const starts = this.starts;
    const ends = this.ends;
    const flags = this.flags;
    const lines = this.lines;
    const cap = this.cap;
    const last = this.ncols - 1;
    const rows0 = this.rows;
    const maxRows = rows0 + (this.cap - this.slots);
    let rows = rows0;
    let line = this.line;
    let i = this.pos;
    let rs = i;
    // Every early exit rewinds to the start of the row it could not finish: the general scanner redoes it.
    // (Rewinding at each exit rather than after the loop keeps type feedback complete for the optimiser.)
    rows: while (rows < maxRows) {
      rs = i;
      let k = rows;
      let fi = 0;
      for (;;) {
        const fs = i;
        let c = 0;
        while ((c = cls[buf[i]!]!) === 0) i++; // stops at the LF sentinel at buf[len] at the latest
        if (c === C_DELIM) {
          if (fi === last) {
            i = rs;
            break rows;
          }
          starts[k] = fs;
          ends[k] = i;
          flags[k] = 0;
          k += cap;
          fi++;
          i++;
        } else if (c === C_LF) {
          const fe = i > fs && buf[i - 1] === CR ? i - 1 : i;
          if (fi !== last || fe === rs || i >= len) {
            // wrong field count, a blank line, or the sentinel: the row is not complete yet
            i = rs;
            break rows;
          }
          starts[k] = fs;
          ends[k] = fe;
          flags[k] = 0;
          lines[rows] = line;
          rows++;
          line++;
          i++;
          continue rows;
        } else {
          i = rs;
          break rows;
        }
      }
    }
    const taken = rows - rows0;
    this.rows = rows;
    this.slots += taken;
    this.line = line;
    this.rowLine = line;
    this.pos = i;
    this.rowStart = i;
    return taken;
  }

  /** After the header: size the column arrays and drop the header's bytes from the buffer. */
  private startColumns(): void {
    this.ncols = this.headerNames!.length;
    this.allocateBatch();
    this.shiftBuffer(this.rowStart, this.buf);
  }

  private allocateBatch(): void {
    const spare = this.spareFields.pop();
    if (spare !== undefined) {
      ({ starts: this.starts, ends: this.ends, flags: this.flags, lines: this.lines } = spare);
    } else {
      const n = this.ncols * this.cap;
      this.starts = new Uint32Array(n);
      this.ends = new Uint32Array(n);
      this.flags = new Uint8Array(n);
      this.lines = new Uint32Array(this.cap);
    }
    this.rows = 0;
    this.slots = 0;
    this.malformed = [];
  }

  /** Moves bytes [from, len) to the start of `target` (the state is at a row start). */
  private shiftBuffer(from: number, target: Uint8Array): void {
    if (target === this.buf) target.copyWithin(0, from, this.len);
    else target.set(this.buf.subarray(from, this.len));
    this.buf = target;
    this.len -= from;
    this.base += from;
    this.pos -= from;
    this.rowStart -= from;
    this.buf[this.len] = LF; // sentinel (see append)
  }

  /** Hands out the current batch and starts the next one in a fresh buffer. */
  private emit(): CsvBatch {
    const end = Math.min(this.rowStart, this.len, this.inputEnd - this.base);
    const bytes = this.buf.subarray(0, end);
    const rowCount = this.rows;
    const columns: CsvColumnFields[] = [];
    for (let c = 0; c < this.ncols; c++) {
      const from = c * this.cap;
      columns.push({
        starts: this.starts.subarray(from, from + rowCount),
        ends: this.ends.subarray(from, from + rowCount),
        flags: this.flags.subarray(from, from + rowCount),
      });
    }
    const batch: CsvBatch = {
      header: this.headerNames!,
      bytes,
      fileOffset: this.base,
      rowCount,
      lines: this.lines.subarray(0, rowCount),
      columns,
      malformed: this.malformed,
      quote: this.opts.quote,
      nullToken: this.opts.nullToken,
    };
    if (!this.finished) {
      this.lastBatchBytes = end;
      const rest = this.len - end;
      const size = Math.max(rest * 2, 1 << 16, this.lastBatchBytes + (this.lastBatchBytes >>> 3) + APPEND_STEP);
      let next = this.spareBuffers.pop();
      if (next === undefined || next.length < size) next = new Uint8Array(size);
      this.owned.set(batch, { buf: this.buf, starts: this.starts, ends: this.ends, flags: this.flags, lines: this.lines });
      this.shiftBuffer(end, next);
      this.allocateBatch();
    }
    return batch;
  }

  /**
   * The general scanner: consumes bytes from `pos` until the buffer is exhausted, the batch is full, the
   * header row has been read or `budget` rows are done. All state lives in locals and is written back on exit.
   */
  private scan(budget: number): number {
    const buf = this.buf;
    const len = this.len;
    const D = this.opts.delimiter;
    const Q = this.opts.quote;
    const cls = this.cls;
    const qcls = this.qcls;
    const starts = this.starts;
    const ends = this.ends;
    const flags = this.flags;
    const lines = this.lines;
    const cap = this.cap;
    const ncols = this.ncols;
    const limit = this.opts.batchRows;

    let i = this.pos;
    let state = this.state;
    let fs = this.fieldStart;
    let ff = this.fieldFlags;
    let fi = this.fieldIdx;
    let rs = this.rowStart;
    let rowLine = this.rowLine;
    let rf = this.rowFlags;
    let line = this.line;
    let rows = this.rows;
    let slots = this.slots;
    let errReason = this.errReason;
    let errCol = this.errCol;
    let status = MORE;

    scan: while (i < len) {
      let fe = 0; // end of the field
      let eol = false; // the field ends its row

      if (state <= S_UNQUOTED) {
        // Unquoted field (or the start of any field): run to the next special byte.
        if (state === S_FIELD) {
          fs = i;
          ff = 0;
        }
        let c = 0;
        while (i < len && (c = cls[buf[i]!]!) === 0) i++;
        if (i >= len) {
          state = S_UNQUOTED;
          break;
        }
        if (c === C_DELIM) {
          fe = i;
          i++;
        } else if (c === C_LF) {
          fe = i > fs && buf[i - 1] === CR ? i - 1 : i;
          eol = true;
          i++;
        } else {
          if (c === C_HIGH) {
            ff |= FIELD_NON_ASCII;
            rf = FIELD_NON_ASCII;
          } else if (i === fs) {
            // C_QUOTE as the field's first byte: a quoted field
            ff = FIELD_QUOTED;
            fs = i + 1;
            this.quoteLine = line;
            this.quoteCol = fi + 1;
            i++;
            state = S_QUOTED;
            continue;
          } else if (errReason === '') {
            errReason = 'quote inside an unquoted field';
            errCol = fi + 1;
          }
          i++;
          state = S_UNQUOTED;
          continue;
        }
      } else {
        // Quoted field.
        if (state === S_QUOTED) {
          for (;;) {
            let c = 0;
            while (i < len && (c = qcls[buf[i]!]!) === 0) i++;
            if (i >= len) break scan;
            i++;
            if (c === Q_QUOTE) break;
            if (c === Q_LF) line++;
            else {
              ff |= FIELD_NON_ASCII;
              rf = FIELD_NON_ASCII;
            }
          }
          state = S_QUOTE;
        }
        if (state === S_QUOTE) {
          if (i >= len) break scan;
          const b = buf[i]!;
          if (b === Q) {
            ff |= FIELD_ESCAPED;
            i++;
            state = S_QUOTED;
            continue scan;
          }
          if (b === D) {
            fe = i - 1;
            i++;
          } else if (b === LF) {
            fe = i - 1;
            eol = true;
            i++;
          } else if (b === CR) {
            i++;
            state = S_QUOTE_CR;
          } else {
            if (errReason === '') {
              errReason = 'unexpected character after closing quote';
              errCol = fi + 1;
            }
            state = S_UNQUOTED;
            continue scan;
          }
        }
        if (state === S_QUOTE_CR) {
          if (i >= len) break scan;
          if (buf[i] === LF) {
            fe = i - 2;
            eol = true;
            i++;
          } else {
            if (errReason === '') {
              errReason = 'unexpected character after closing quote';
              errCol = fi + 1;
            }
            state = S_UNQUOTED;
            continue scan;
          }
        }
      }

      // A field is complete: [fs, fe) with flags ff.
      if (fi < ncols) {
        const k = fi * cap + rows;
        starts[k] = fs;
        ends[k] = fe;
        flags[k] = ff;
      } else if (ncols === 0) {
        this.headerFields.push(fs, fe, ff);
      }
      fi++;
      state = S_FIELD;
      if (!eol) continue;

      // A row is complete: [rs, re) without its line break; i is just past the LF.
      line++;
      if (fi === 1 && fe === fs && ff === 0 && errReason === '') {
        // blank line: skipped
        if (ncols === 0) this.headerFields.length = 0;
      } else {
        let re = i - 1;
        if (re > rs && buf[re - 1] === CR) re--;
        if (ncols === 0) {
          this.readHeader(rs, re, rowLine, errReason, errCol, rf);
          rs = i;
          rowLine = line;
          fi = 0;
          rf = 0;
          status = HEADER;
          break;
        }
        if (errReason !== '') {
          this.addMalformed(rs, re, rowLine, errCol, errReason);
        } else if (fi !== ncols) {
          this.addMalformed(rs, re, rowLine, 0, `expected ${ncols} fields, found ${fi}`);
        } else if ((rf & FIELD_NON_ASCII) !== 0 && !this.utf8RowOk(rs, re, rowLine, rows)) {
          // reported by utf8RowOk
        } else {
          lines[rows] = rowLine;
          rows++;
        }
      }
      slots++;
      fi = 0;
      rf = 0;
      errReason = '';
      errCol = 0;
      rs = i;
      rowLine = line;
      if (slots >= limit) {
        status = FULL;
        break;
      }
      if (--budget === 0 && ncols > 0) {
        status = BUDGET;
        break;
      }
    }

    this.pos = i;
    this.state = state;
    this.fieldStart = fs;
    this.fieldFlags = ff;
    this.fieldIdx = fi;
    this.rowStart = rs;
    this.rowLine = rowLine;
    this.rowFlags = rf;
    this.line = line;
    this.rows = rows;
    this.slots = slots;
    this.errReason = errReason;
    this.errCol = errCol;
    return status;
  }

  private addMalformed(start: number, end: number, line: number, column: number, reason: string): void {
    const raw = lenientDecoder.decode(this.buf.subarray(start, end));
    const row: MalformedRow = column > 0 ? { line, column, reason, raw } : { line, reason, raw };
    this.malformed.push(row);
  }

  /** Checks a non-ASCII row; reports it and returns false when it is not valid UTF-8. */
  private utf8RowOk(start: number, end: number, line: number, row: number): boolean {
    const bad = findInvalidUtf8(this.buf, start, end);
    if (bad < 0) return true;
    let column = 0;
    for (let c = 0; c < this.ncols; c++) {
      const k = c * this.cap + row;
      if (bad >= this.starts[k]! && bad < this.ends[k]!) column = c + 1;
    }
    this.addMalformed(start, end, line, column, `invalid UTF-8 at byte ${this.base + bad}`);
    return false;
  }

  private readHeader(start: number, end: number, line: number, errReason: string, errCol: number, rowFlags: number): void {
    const where = `CSV header on line ${line}`;
    if (errReason !== '') throw new CsvFormatError(`${where}: ${errReason} (column ${errCol})`);
    if ((rowFlags & FIELD_NON_ASCII) !== 0) {
      const bad = findInvalidUtf8(this.buf, start, end);
      if (bad >= 0) throw new CsvFormatError(`${where}: invalid UTF-8 at byte ${this.base + bad}`);
    }
    const f = this.headerFields;
    const names: string[] = [];
    for (let k = 0; k < f.length; k += 3) {
      const text = lenientDecoder.decode(this.buf.subarray(f[k]!, f[k + 1]!));
      names.push((f[k + 2]! & FIELD_ESCAPED) !== 0 ? unescapeQuotes(text, this.opts.quote) : text);
    }
    this.headerFields = [];
    this.headerNames = names;
    this.headerRowLine = line;
  }

  private unclosedQuote(inputEnd: number): void {
    let end = inputEnd;
    if (end > this.rowStart && this.buf[end - 1] === LF) end--;
    if (end > this.rowStart && this.buf[end - 1] === CR) end--;
    const reason = `unclosed quote opened on line ${this.quoteLine} runs to the end of the file`;
    if (this.ncols === 0) {
      throw new CsvFormatError(`CSV header on line ${this.rowLine}: ${reason} (column ${this.quoteCol})`);
    }
    this.addMalformed(this.rowStart, end, this.rowLine, this.quoteCol, reason);
    this.slots++;
    this.rowStart = inputEnd;
    this.pos = inputEnd;
    this.state = S_FIELD;
    this.fieldIdx = 0;
  }
}

/** Replaces each doubled quote character in `text` by a single one. */
export function unescapeQuotes(text: string, quote: number): string {
  const q = String.fromCharCode(quote);
  return text.split(q + q).join(q);
}
