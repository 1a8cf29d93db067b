/**
 * CSV tokenizer and reader: structure (rows, fields, line numbers), malformed rows, chunk-boundary
 * independence, a randomised comparison against a simple reference parser, gzip, and the shared data files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  bytesSource,
  CsvFormatError,
  CsvTokenizer,
  fileSource,
  FIELD_ESCAPED,
  FIELD_QUOTED,
  openCsv,
  readField,
  rowText,
  splitBytes,
  type CsvBatch,
  type CsvOptions,
  type MalformedRow,
} from '../../validation/csv/index.js';
import { UsageError } from '../../etl/errors.js';

const enc = new TextEncoder();
const bytesOf = (text: string): Uint8Array => enc.encode(text);

interface Parsed {
  header: string[] | undefined;
  rows: { line: number; fields: (string | null)[] }[];
  malformed: MalformedRow[];
  batchSizes: number[];
}

/** Runs the tokenizer over `chunks` and flattens every batch. */
function parseChunks(chunks: Uint8Array[], options?: CsvOptions): Parsed {
  const t = new CsvTokenizer(options);
  const batches: CsvBatch[] = [];
  for (const c of chunks) batches.push(...t.push(c));
  batches.push(...t.finish());
  return flatten(t.header, batches);
}

function flatten(header: string[] | undefined, batches: CsvBatch[]): Parsed {
  const out: Parsed = { header, rows: [], malformed: [], batchSizes: [] };
  for (const b of batches) {
    out.batchSizes.push(b.rowCount);
    for (let r = 0; r < b.rowCount; r++) {
      const fields: (string | null)[] = [];
      for (let c = 0; c < b.columns.length; c++) fields.push(readField(b, r, c));
      out.rows.push({ line: b.lines[r]!, fields });
    }
    out.malformed.push(...b.malformed);
  }
  return out;
}

const parse = (text: string | Uint8Array, options?: CsvOptions): Parsed =>
  parseChunks([typeof text === 'string' ? bytesOf(text) : text], options);

/** Results must not depend on where chunks split: every single split point, and 1-byte chunks. */
function expectSplitInvariant(data: string | Uint8Array, options?: CsvOptions): Parsed {
  const bytes = typeof data === 'string' ? bytesOf(data) : data;
  let whole: Parsed | Error;
  try {
    whole = parseChunks([bytes], options);
  } catch (err) {
    whole = err as Error;
  }
  const attempt = (chunks: Uint8Array[]): Parsed | Error => {
    try {
      return parseChunks(chunks, options);
    } catch (err) {
      return err as Error;
    }
  };
  for (let p = 0; p <= bytes.length; p++) {
    const got = attempt(splitBytes(bytes, [p]));
    if (whole instanceof Error) expect((got as Error).message).toBe(whole.message);
    else expect(got).toEqual(whole);
  }
  const ones = attempt(splitBytes(bytes, 1));
  if (whole instanceof Error) expect((ones as Error).message).toBe(whole.message);
  else expect(ones).toEqual(whole);
  if (bytes.length <= 40) {
    // every pair of split points too
    for (let p = 0; p <= bytes.length; p++) {
      for (let q = p; q <= bytes.length; q++) {
        const got = attempt(splitBytes(bytes, [p, q]));
        if (whole instanceof Error) expect((got as Error).message).toBe(whole.message);
        else expect(got).toEqual(whole);
      }
    }
  }
  if (whole instanceof Error) throw whole;
  return whole;
}

describe('CsvTokenizer: structure', () => {
  test('header, rows, fields and 1-based line numbers (header is line 1)', () => {
    const p = expectSplitInvariant('id,name,qty\n1,apple,3\n2,pear,\n');
    expect(p.header).toEqual(['id', 'name', 'qty']);
    expect(p.rows).toEqual([
      { line: 2, fields: ['1', 'apple', '3'] },
      { line: 3, fields: ['2', 'pear', null] },
    ]);
    expect(p.malformed).toEqual([]);
  });

  test('UTF-8 BOM is stripped, also when split across chunks', () => {
    const p = expectSplitInvariant('\uFEFFa,b\n1,2\n');
    expect(p.header).toEqual(['a', 'b']);
    expect(p.rows).toEqual([{ line: 2, fields: ['1', '2'] }]);
  });

  test('a BOM only in the middle of the file is data', () => {
    const p = parse('a,b\n\uFEFF1,2\n');
    expect(p.rows[0]!.fields).toEqual(['\uFEFF1', '2']);
  });

  test('CRLF, LF, mixed, and a final line without a line break', () => {
    for (const text of ['a,b\r\n1,2\r\n3,4', 'a,b\n1,2\n3,4\n', 'a,b\r\n1,2\n3,4\r\n', 'a,b\n1,2\r\n3,4\r']) {
      const p = expectSplitInvariant(text);
      expect(p.header).toEqual(['a', 'b']);
      expect(p.rows).toEqual([
        { line: 2, fields: ['1', '2'] },
        { line: 3, fields: ['3', '4'] },
      ]);
    }
  });

  test('a CR not followed by LF is data', () => {
    const p = parse('a,b\n1\r2,3\n');
    expect(p.rows).toEqual([{ line: 2, fields: ['1\r2', '3'] }]);
  });

  test('blank lines are skipped everywhere but still counted', () => {
    const p = expectSplitInvariant('\n\r\na,b\n\n1,2\r\n\r\n\n3,4\n\n');
    expect(p.header).toEqual(['a', 'b']);
    expect(p.rows).toEqual([
      { line: 5, fields: ['1', '2'] },
      { line: 8, fields: ['3', '4'] },
    ]);
    expect(p.malformed).toEqual([]);
  });

  test('quoted fields: delimiters, newlines, CRLF, doubled quotes; lines after them are right', () => {
    const text = 'a,b,c\n"x,y","line1\nline2\r\nline3","say ""hi"""\n4,"",5\n"""",\'q\',"a\n\nb"\n7,8,9\n';
    const p = expectSplitInvariant(text);
    expect(p.rows).toEqual([
      { line: 2, fields: ['x,y', 'line1\nline2\r\nline3', 'say "hi"'] },
      { line: 5, fields: ['4', '', '5'] },
      { line: 6, fields: ['"', "'q'", 'a\n\nb'] },
      { line: 9, fields: ['7', '8', '9'] },
    ]);
  });

  test('quoted empty is the empty string, unquoted empty is null; field flags', () => {
    const t = new CsvTokenizer();
    const b = [...t.push(bytesOf('a,b,c\n,"","x""y"\n')), ...t.finish()][0]!;
    expect(readField(b, 0, 0)).toBeNull();
    expect(readField(b, 0, 1)).toBe('');
    expect(readField(b, 0, 2)).toBe('x"y');
    expect(b.columns[0]!.flags[0]).toBe(0);
    expect(b.columns[1]!.flags[0]).toBe(FIELD_QUOTED);
    expect(b.columns[2]!.flags[0]).toBe(FIELD_QUOTED | FIELD_ESCAPED);
    // quotes excluded from the offsets
    const c2 = b.columns[2]!;
    expect(new TextDecoder().decode(b.bytes.subarray(c2.starts[0], c2.ends[0]))).toBe('x""y');
  });

  test('header with quoted names', () => {
    const p = expectSplitInvariant('"id","the ""name""","a,b"\n1,2,3\n');
    expect(p.header).toEqual(['id', 'the "name"', 'a,b']);
  });

  test('multi-byte UTF-8 split anywhere is decoded intact', () => {
    const p = expectSplitInvariant('k,v\n1,日本語\n2,"é,ü"\n3,😀\n');
    expect(p.rows.map((r) => r.fields[1])).toEqual(['日本語', 'é,ü', '😀']);
    expect(p.malformed).toEqual([]);
  });

  test('custom delimiter and quote', () => {
    const p = expectSplitInvariant("a|b|c\n1|'x|y'|'it''s'\n", { delimiter: '|', quote: "'" });
    expect(p.header).toEqual(['a', 'b', 'c']);
    expect(p.rows).toEqual([{ line: 2, fields: ['1', 'x|y', "it's"] }]);
  });

  test('tab delimiter; commas are then data', () => {
    const p = parse('a\tb\n1,5\t2\n', { delimiter: '\t' });
    expect(p.rows).toEqual([{ line: 2, fields: ['1,5', '2'] }]);
  });

  test('null token: an unquoted match is null, a quoted one is text, empty is empty text', () => {
    const p = expectSplitInvariant('a,b,c\nNA,"NA",\n', { nullToken: 'NA' });
    expect(p.rows).toEqual([{ line: 2, fields: [null, 'NA', ''] }]);
  });

  test('single-column file: blank lines are skipped, quoted empty is a row', () => {
    const p = expectSplitInvariant('v\n1\n\n""\n2');
    expect(p.rows).toEqual([
      { line: 2, fields: ['1'] },
      { line: 4, fields: [''] },
      { line: 5, fields: ['2'] },
    ]);
  });
});

describe('CsvTokenizer: empty and header-only inputs', () => {
  test.each([
    ['empty file', ''],
    ['only a BOM', '\uFEFF'],
    ['only blank lines', '\n\r\n\n'],
  ])('%s: no header, no batches, no crash', (_name, text) => {
    const t = new CsvTokenizer();
    expect([...t.push(bytesOf(text)), ...t.finish()]).toEqual([]);
    expect(t.header).toBeUndefined();
  });

  test('header only, with or without a line break', () => {
    for (const text of ['a,b', 'a,b\n', 'a,b\r\n\n']) {
      const t = new CsvTokenizer();
      expect([...t.push(bytesOf(text)), ...t.finish()]).toEqual([]);
      expect(t.header).toEqual(['a', 'b']);
    }
  });

  test('openCsv on an empty source says there is no header and yields nothing', async () => {
    const reader = await openCsv(bytesSource(''));
    expect(reader.header).toBeUndefined();
    expect(reader.headerLine).toBe(0);
    const got: CsvBatch[] = [];
    for await (const b of reader) got.push(b);
    expect(got).toEqual([]);
  });

  test('a malformed header throws CsvFormatError', () => {
    expect(() => parse('a,b"c\n1,2\n')).toThrow(CsvFormatError);
    expect(() => parse('a,"b"x\n1,2\n')).toThrow(/CSV header on line 1: unexpected character after closing quote/);
    expect(() => parse('\n"a,b\n1,2\n')).toThrow(/CSV header on line 2: unclosed quote opened on line 2/);
    expect(() => parse(new Uint8Array([0x61, 0xff, 0x0a, 0x31, 0x0a]))).toThrow(/invalid UTF-8 at byte 1/);
  });

  test('bad options are UsageErrors', () => {
    expect(() => new CsvTokenizer({ delimiter: '||' })).toThrow(UsageError);
    expect(() => new CsvTokenizer({ delimiter: '\n' })).toThrow(UsageError);
    expect(() => new CsvTokenizer({ delimiter: 'é' })).toThrow(UsageError);
    expect(() => new CsvTokenizer({ quote: ',' })).toThrow(UsageError);
    expect(() => new CsvTokenizer({ batchRows: 0 })).toThrow(UsageError);
    expect(() => new CsvTokenizer({ nullToken: 'a,b' })).toThrow(UsageError);
    expect(() => new CsvTokenizer({ encoding: 'latin1' as 'utf-8' })).toThrow(UsageError);
  });
});

describe('CsvTokenizer: malformed rows', () => {
  test('wrong field counts, with exact lines, reasons and raw text; loading goes on', () => {
    const p = expectSplitInvariant('a,b,c\n1,2,3\n4,5\n6,7,8,9\r\n\n"x\ny",1\n10,11,12\n');
    expect(p.rows).toEqual([
      { line: 2, fields: ['1', '2', '3'] },
      { line: 8, fields: ['10', '11', '12'] },
    ]);
    expect(p.malformed).toEqual([
      { line: 3, reason: 'expected 3 fields, found 2', raw: '4,5' },
      { line: 4, reason: 'expected 3 fields, found 4', raw: '6,7,8,9' },
      { line: 6, reason: 'expected 3 fields, found 2', raw: '"x\ny",1' },
    ]);
  });

  test('a quote inside an unquoted field', () => {
    const p = expectSplitInvariant('a,b\n1,2\n3,4"5\n6,7\n');
    expect(p.malformed).toEqual([{ line: 3, column: 2, reason: 'quote inside an unquoted field', raw: '3,4"5' }]);
    expect(p.rows.map((r) => r.line)).toEqual([2, 4]);
  });

  test('garbage after a closing quote, incl. a CR not followed by LF', () => {
    const p = expectSplitInvariant('a,b\n"x"y,1\n1,"2" \n2,"z"\rq\n3,4\n');
    expect(p.malformed).toEqual([
      { line: 2, column: 1, reason: 'unexpected character after closing quote', raw: '"x"y,1' },
      { line: 3, column: 2, reason: 'unexpected character after closing quote', raw: '1,"2" ' },
      { line: 4, column: 2, reason: 'unexpected character after closing quote', raw: '2,"z"\rq' },
    ]);
    expect(p.rows).toEqual([{ line: 5, fields: ['3', '4'] }]);
  });

  test('a bad row does not break quote tracking of the rest of the row', () => {
    // the stray quote is data; the quoted field after it still hides its newline
    const p = expectSplitInvariant('a,b,c\n1x"y,"p\nq",3\n4,5,6\n');
    expect(p.malformed).toEqual([{ line: 2, column: 1, reason: 'quote inside an unquoted field', raw: '1x"y,"p\nq",3' }]);
    expect(p.rows).toEqual([{ line: 4, fields: ['4', '5', '6'] }]);
  });

  test('an unclosed quote turns the rest of the file into one malformed row, reported where its row starts', () => {
    const text = 'a,b\n1,2\n3,"4\n5,6\n7,8\n';
    const p = expectSplitInvariant(text);
    expect(p.rows).toEqual([{ line: 2, fields: ['1', '2'] }]);
    expect(p.malformed).toEqual([
      { line: 3, column: 2, reason: 'unclosed quote opened on line 3 runs to the end of the file', raw: '3,"4\n5,6\n7,8' },
    ]);
    // the quote may open lines after its row starts
    const q = expectSplitInvariant('a,b,c\n"x\ny",2,"open\nz\n');
    expect(q.malformed).toEqual([
      { line: 2, column: 3, reason: 'unclosed quote opened on line 3 runs to the end of the file', raw: '"x\ny",2,"open\nz' },
    ]);
  });

  test('invalid UTF-8: the row is malformed with the byte offset in the file and the column', () => {
    const parts: number[] = [];
    const add = (x: string | number[]): number => {
      const at = parts.length;
      parts.push(...(typeof x === 'string' ? bytesOf(x) : x));
      return at;
    };
    add('a,b\n1,ok\n2,x');
    const bad1 = add([0xc3, 0x28]); // lead byte without continuation
    add('\n3,\u00e9\n4,');
    const bad2 = add([0xed, 0xa0, 0x80]); // a surrogate
    add('\n5,"q');
    const bad3 = add([0xf8]); // never valid
    add('"\n6,');
    const bad4 = add([0xe0, 0x80, 0x80]); // overlong
    add('\n7,');
    add([0xf0, 0x9f, 0x98]); // cut short by the end of the field
    const bad5 = parts.length - 3;
    add('\n8,😀\n');
    const p = expectSplitInvariant(Uint8Array.from(parts));
    expect(p.rows).toEqual([
      { line: 2, fields: ['1', 'ok'] },
      { line: 4, fields: ['3', 'é'] },
      { line: 9, fields: ['8', '😀'] },
    ]);
    expect(p.malformed.map(({ line, column, reason }) => ({ line, column, reason }))).toEqual([
      { line: 3, column: 2, reason: `invalid UTF-8 at byte ${bad1}` },
      { line: 5, column: 2, reason: `invalid UTF-8 at byte ${bad2}` },
      { line: 6, column: 2, reason: `invalid UTF-8 at byte ${bad3}` },
      { line: 7, column: 2, reason: `invalid UTF-8 at byte ${bad4}` },
      { line: 8, column: 2, reason: `invalid UTF-8 at byte ${bad5}` },
    ]);
    expect(p.malformed[0]!.raw).toBe('2,x\uFFFD(');
  });

  test('byte offsets count the BOM', () => {
    const bad = new Uint8Array([...bytesOf('\uFEFFa\n'), 0xff, 0x0a]);
    expect(parse(bad).malformed).toEqual([{ line: 2, column: 1, reason: 'invalid UTF-8 at byte 5', raw: '\uFFFD' }]);
  });
});

describe('CsvTokenizer: batches', () => {
  test('batchRows splits rows into batches; malformed and blank rows count towards a batch', () => {
    const lines = ['a,b'];
    for (let i = 1; i <= 10; i++) lines.push(i === 4 ? 'bad' : i === 7 ? '' : `${i},${i * i}`);
    const text = lines.join('\n') + '\n';
    const p = expectSplitInvariant(text, { batchRows: 3 });
    expect(p.batchSizes).toEqual([3, 2, 2, 1]);
    expect(p.rows.map((r) => r.line)).toEqual([2, 3, 4, 6, 7, 9, 10, 11]);
    expect(p.malformed).toEqual([{ line: 5, reason: 'expected 2 fields, found 1', raw: 'bad' }]);
  });

  test('each batch has its own contiguous bytes, and rowText rebuilds every row', () => {
    const text = 'a,b,c\n1,"x,y",3\r\n"q""r",5,""\n7,8,9';
    const t = new CsvTokenizer({ batchRows: 2 });
    const batches = [...t.push(bytesOf(text)), ...t.finish()];
    expect(batches.map((b) => b.rowCount)).toEqual([2, 1]);
    const texts = batches.flatMap((b) => Array.from({ length: b.rowCount }, (_, r) => rowText(b, r)));
    expect(texts).toEqual(['1,"x,y",3', '"q""r",5,""', '7,8,9']);
    expect(batches[1]!.fileOffset).toBe(text.indexOf('7,8,9'));
    expect(new TextDecoder().decode(batches[1]!.bytes)).toBe('7,8,9');
  });

  test('rows straddling many small chunks land in one contiguous batch buffer', () => {
    const row = 'x'.repeat(5000);
    const text = `a,b\n${row},${row}\n1,2\n`;
    const p = parseChunks(splitBytes(text, 7));
    expect(p.rows).toEqual([
      { line: 2, fields: [row, row] },
      { line: 3, fields: ['1', '2'] },
    ]);
  });

  test('a large single chunk spanning many batches', () => {
    const lines = ['a,b'];
    for (let i = 0; i < 10_000; i++) lines.push(`${i},"v${i}"`);
    const p = parse(lines.join('\n'), { batchRows: 999 });
    expect(p.rows.length).toBe(10_000);
    expect(p.batchSizes.length).toBe(11);
    expect(p.rows[9_999]).toEqual({ line: 10_001, fields: ['9999', 'v9999'] });
  });

  test('recycled batches give the same results as fresh ones', () => {
    const lines = ['a,b,c'];
    for (let i = 0; i < 5000; i++) lines.push(i % 97 === 0 ? `${i},"x\n${i}"` : `${i},"q""${i}",${'z'.repeat(i % 13)}`);
    const bytes = bytesOf(lines.join('\r\n'));
    const fresh = parseChunks(splitBytes(bytes, 4096), { batchRows: 300 });
    const t = new CsvTokenizer({ batchRows: 300 });
    const got: Parsed[] = [];
    const take = (bs: CsvBatch[]): void => {
      for (const b of bs) {
        got.push(flatten(t.header, [b]));
        t.recycle(b);
        t.recycle(b); // twice is harmless
      }
    };
    for (const c of splitBytes(bytes, 4096)) take(t.push(c));
    take(t.finish());
    expect({
      header: t.header,
      rows: got.flatMap((p) => p.rows),
      malformed: got.flatMap((p) => p.malformed),
      batchSizes: got.flatMap((p) => p.batchSizes),
    }).toEqual(fresh);
  });

  test('push after finish is a usage error', () => {
    const t = new CsvTokenizer();
    t.finish();
    expect(() => t.push(bytesOf('a'))).toThrow(UsageError);
  });
});

// ---------------------------------------------------------------------------------------------------
// Reference parser: deliberately simple and slow, written from the documented rules.

interface RefField {
  text: string;
  quoted: boolean;
}
interface RefRecord {
  line: number;
  start: number;
  rawEnd: number;
  fields: RefField[];
  fieldRanges: [number, number][];
  error?: { column: number; reason: string };
  unclosed?: { line: number; column: number };
}

function referenceRecords(bytes: Uint8Array, D: number, Q: number): RefRecord[] {
  const n = bytes.length;
  const LF = 10;
  const CR = 13;
  const utf8 = (s: number, e: number): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(s, e));
  let i = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 1;
  const records: RefRecord[] = [];
  while (i < n) {
    const rec: RefRecord = { line, start: i, rawEnd: 0, fields: [], fieldRanges: [] };
    const fail = (reason: string): void => {
      rec.error ??= { column: rec.fields.length + 1, reason };
    };
    let endOfRecord = false;
    while (!endOfRecord) {
      let text = '';
      let quoted = false;
      let fs = i;
      let fe = i;
      let continueUnquoted = false;
      if (i < n && bytes[i] === Q) {
        quoted = true;
        const qline = line;
        const content: number[] = [];
        i++;
        fs = i;
        for (;;) {
          if (i >= n) {
            rec.unclosed = { line: qline, column: rec.fields.length + 1 };
            let e = n;
            if (e > rec.start && bytes[e - 1] === LF) e--;
            if (e > rec.start && bytes[e - 1] === CR) e--;
            rec.rawEnd = e;
            records.push(rec);
            return records;
          }
          const b = bytes[i]!;
          if (b === Q) {
            if (bytes[i + 1] === Q) {
              content.push(Q);
              i += 2;
              continue;
            }
            fe = i;
            i++;
            break;
          }
          if (b === LF) line++;
          content.push(b);
          i++;
        }
        text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(Uint8Array.from(content));
        if (i >= n) endOfRecord = true;
        else if (bytes[i] === D) i++;
        else if (bytes[i] === LF) {
          i++;
          line++;
          endOfRecord = true;
        } else if (bytes[i] === CR && (i + 1 >= n || bytes[i + 1] === LF)) {
          i += 2;
          if (i <= n) line++;
          endOfRecord = true;
        } else {
          fail('unexpected character after closing quote');
          if (bytes[i] === CR) i++;
          continueUnquoted = true;
        }
      }
      if (!quoted || continueUnquoted) {
        if (!continueUnquoted) fs = i;
        while (i < n && bytes[i] !== D && bytes[i] !== LF) {
          if (bytes[i] === Q) fail('quote inside an unquoted field');
          i++;
        }
        fe = i;
        if (fe > fs && bytes[fe - 1] === CR && (i >= n || bytes[i] === LF)) fe--;
        text = utf8(fs, fe);
        if (i >= n) endOfRecord = true;
        else if (bytes[i] === D) i++;
        else {
          i++;
          line++;
          endOfRecord = true;
        }
      }
      rec.fields.push({ text, quoted });
      rec.fieldRanges.push([fs, fe]);
    }
    let e = Math.min(i, n);
    if (e > rec.start && bytes[e - 1] === LF) e--;
    if (e > rec.start && bytes[e - 1] === CR) e--;
    rec.rawEnd = e;
    records.push(rec);
  }
  return records;
}

/** First byte of [s, e) that does not start a well-formed UTF-8 sequence (checked with a fatal TextDecoder). */
function refInvalidUtf8(bytes: Uint8Array, s: number, e: number): number {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  let p = s;
  while (p < e) {
    const b = bytes[p]!;
    const len = b < 0x80 ? 1 : b >= 0xc0 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf8 ? 4 : 0;
    if (len === 0 || p + len > e) return p;
    try {
      fatal.decode(bytes.subarray(p, p + len));
    } catch {
      return p;
    }
    p += len;
  }
  return -1;
}

function referenceParse(bytes: Uint8Array, options: { delimiter?: string; quote?: string; nullToken?: string } = {}): Parsed | Error {
  const D = (options.delimiter ?? ',').charCodeAt(0);
  const Q = (options.quote ?? '"').charCodeAt(0);
  const nullToken = options.nullToken ?? '';
  const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
  const records = referenceRecords(bytes, D, Q);
  const out: Parsed = { header: undefined, rows: [], malformed: [], batchSizes: [] };
  const raw = (r: RefRecord): string => lenient.decode(bytes.subarray(r.start, r.rawEnd));
  for (const rec of records) {
    const blank = !rec.unclosed && !rec.error && rec.fields.length === 1 && !rec.fields[0]!.quoted && rec.fields[0]!.text === '';
    if (blank) continue;
    if (out.header === undefined) {
      if (rec.unclosed || rec.error || refInvalidUtf8(bytes, rec.start, rec.rawEnd) >= 0) return new Error('bad header');
      out.header = rec.fields.map((f) => f.text);
      continue;
    }
    const ncols = out.header.length;
    if (rec.unclosed) {
      out.malformed.push({
        line: rec.line,
        column: rec.unclosed.column,
        reason: `unclosed quote opened on line ${rec.unclosed.line} runs to the end of the file`,
        raw: raw(rec),
      });
      continue;
    }
    if (rec.error) {
      out.malformed.push({ line: rec.line, column: rec.error.column, reason: rec.error.reason, raw: raw(rec) });
      continue;
    }
    if (rec.fields.length !== ncols) {
      out.malformed.push({ line: rec.line, reason: `expected ${ncols} fields, found ${rec.fields.length}`, raw: raw(rec) });
      continue;
    }
    const bad = refInvalidUtf8(bytes, rec.start, rec.rawEnd);
    if (bad >= 0) {
      const column = rec.fieldRanges.findIndex(([s, e]) => bad >= s && bad < e) + 1;
      const m: MalformedRow = { line: rec.line, column, reason: `invalid UTF-8 at byte ${bad}`, raw: raw(rec) };
      if (column === 0) delete m.column;
      out.malformed.push(m);
      continue;
    }
    out.rows.push({
      line: rec.line,
      fields: rec.fields.map((f) => (!f.quoted && f.text === nullToken ? null : f.text)),
    });
  }
  return out;
}

/** Mulberry32. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random CSV bytes: mostly good rows, with quoting, embedded specials, blank lines and some malformed rows. */
function randomCsv(rand: () => number, ncols: number, nrows: number, D: string, Q: string): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const pieces = ['a', 'b', 'z9', '0', '-1.5', ' ', D, Q, '\n', '\r\n', '\r', 'é', '日本', '😀', 'NA'];
  const out: number[] = [];
  const push = (s: string): void => {
    for (const b of enc.encode(s)) out.push(b);
  };
  const field = (): void => {
    let s = '';
    const k = Math.floor(rand() * 4);
    for (let j = 0; j < k; j++) s += pick(pieces);
    const needsQuote = s.includes(D) || s.includes(Q) || s.includes('\n') || s.includes('\r') || rand() < 0.2;
    if (needsQuote) push(Q + s.split(Q).join(Q + Q) + Q);
    else push(s);
  };
  if (rand() < 0.2) push('\uFEFF');
  if (rand() < 0.2) push('\n');
  push(Array.from({ length: ncols }, (_, c) => `c${c}`).join(D));
  for (let r = 0; r < nrows; r++) {
    push(rand() < 0.5 ? '\n' : '\r\n');
    const kind = rand();
    if (kind < 0.05) continue; // blank line
    let n = ncols;
    if (kind < 0.1) n = ncols + (rand() < 0.5 ? -1 : 1);
    for (let c = 0; c < n; c++) {
      if (c > 0) push(D);
      const bad = rand();
      if (bad < 0.02) push('x' + Q + 'y');
      else if (bad < 0.04) push(Q + 'ab' + Q + 'c');
      else if (bad < 0.05) out.push(pick([0xff, 0xc3, 0xe2, 0x80, 0xed]));
      else field();
    }
  }
  const end = rand();
  if (end < 0.4) push('\n');
  else if (end < 0.5) push('\r\n');
  else if (end < 0.55) push(D + Q + 'unclosed' + D + '\nmore');
  return Uint8Array.from(out);
}

describe('CsvTokenizer: randomised comparison with a reference parser', () => {
  test('random CSV, random chunking and batch sizes: same rows, fields, lines and malformed rows', () => {
    const rand = prng(20250401);
    const dialects = [
      { delimiter: ',', quote: '"' },
      { delimiter: '|', quote: "'" },
      { delimiter: ';', quote: '"' },
    ];
    let rowsSeen = 0;
    let malformedSeen = 0;
    for (let iter = 0; iter < 300; iter++) {
      const dialect = dialects[iter % dialects.length]!;
      const ncols = 1 + Math.floor(rand() * 5);
      const bytes = randomCsv(rand, ncols, Math.floor(rand() * 30), dialect.delimiter, dialect.quote);
      const options: CsvOptions = { ...dialect, batchRows: 1 + Math.floor(rand() * 8), ...(rand() < 0.3 ? { nullToken: 'NA' } : {}) };
      const expected = referenceParse(bytes, options);
      const cuts: number[] = [];
      for (let k = Math.floor(rand() * 6); k > 0; k--) cuts.push(Math.floor(rand() * (bytes.length + 1)));
      cuts.sort((x, y) => x - y);
      let got: Parsed | Error;
      try {
        got = parseChunks(splitBytes(bytes, cuts), options);
      } catch (err) {
        got = err as Error;
      }
      if (expected instanceof Error) {
        expect(got).toBeInstanceOf(CsvFormatError);
        continue;
      }
      if (got instanceof Error) throw got;
      expect({ header: got.header, rows: got.rows, malformed: got.malformed }).toEqual({
        header: expected.header,
        rows: expected.rows,
        malformed: expected.malformed,
      });
      rowsSeen += got.rows.length;
      malformedSeen += got.malformed.length;
    }
    // the generator really exercises both paths
    expect(rowsSeen).toBeGreaterThan(1000);
    expect(malformedSeen).toBeGreaterThan(200);
  });

  test('small random inputs are split-invariant at every byte position', () => {
    const rand = prng(7);
    for (let iter = 0; iter < 25; iter++) {
      const bytes = randomCsv(rand, 1 + Math.floor(rand() * 3), 1 + Math.floor(rand() * 4), ',', '"');
      try {
        expectSplitInvariant(bytes, { batchRows: 2 });
      } catch (err) {
        if (!(err instanceof CsvFormatError)) throw err;
      }
    }
  });
});

describe('openCsv', () => {
  const text = 'id,name\n1,"a\nb"\n2,c\n';

  test('reads the header up front and yields batches', async () => {
    const reader = await openCsv(bytesSource(text, 3), { batchRows: 1 });
    expect(reader.header).toEqual(['id', 'name']);
    expect(reader.headerLine).toBe(1);
    const batches: CsvBatch[] = [];
    for await (const b of reader) batches.push(b);
    expect(flatten(reader.header, batches).rows).toEqual([
      { line: 2, fields: ['1', 'a\nb'] },
      { line: 4, fields: ['2', 'c'] },
    ]);
    expect(() => reader[Symbol.asyncIterator]()).toThrow(UsageError);
  });

  test('reuseBatches: same rows when each batch is read before the next', async () => {
    const lines = ['k,v'];
    for (let i = 0; i < 3000; i++) lines.push(`${i},v${i % 7}`);
    const data = bytesOf(lines.join('\n'));
    const read = async (reuseBatches: boolean): Promise<(string | null)[][]> => {
      const reader = await openCsv(bytesSource(data, 999), { batchRows: 128, reuseBatches });
      const rows: (string | null)[][] = [];
      for await (const b of reader) for (let r = 0; r < b.rowCount; r++) rows.push([readField(b, r, 0), readField(b, r, 1)]);
      return rows;
    };
    const reused = await read(true);
    expect(reused.length).toBe(3000);
    expect(reused).toEqual(await read(false));
  });

  test('gzip input is detected by its magic bytes, even when they arrive one byte at a time', async () => {
    const gz = gzipSync(bytesOf(text));
    for (const chunk of [1, 2, 5, 1 << 20]) {
      const reader = await openCsv(bytesSource(gz, chunk));
      expect(reader.header).toEqual(['id', 'name']);
      const batches: CsvBatch[] = [];
      for await (const b of reader) batches.push(b);
      expect(flatten(reader.header, batches).rows.map((r) => r.fields)).toEqual([
        ['1', 'a\nb'],
        ['2', 'c'],
      ]);
    }
  });

  test('a one-byte file and a file starting with 0x1f only are not gzip', async () => {
    const one = await openCsv(bytesSource('a'));
    expect(one.header).toEqual(['a']);
    const r = await openCsv(bytesSource(new Uint8Array([0x1f, 0x41, 0x0a])));
    expect(r.header).toEqual(['\u001fA']);
  });

  test('corrupt gzip is a CsvFormatError', async () => {
    const gz = gzipSync(bytesOf(text + text + text));
    const broken = gz.slice(0, 20);
    broken.set([0xff, 0xff, 0xff], 10);
    await expect(openCsv(bytesSource(broken))).rejects.toThrow(CsvFormatError);
  });

  test('breaking out of the loop releases the source', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield bytesOf('a\n');
        for (let i = 0; i < 1000; i++) yield bytesOf(`${i}\n`);
      } finally {
        closed = true;
      }
    }
    const reader = await openCsv(source(), { batchRows: 10 });
    for await (const b of reader) {
      expect(b.rowCount).toBe(10);
      break;
    }
    expect(closed).toBe(true);
  });

  test('breaking out of a gzip loop releases the source too', async () => {
    const lines = ['a'];
    for (let i = 0; i < 20_000; i++) lines.push(String(i));
    const gz = gzipSync(bytesOf(lines.join('\n')));
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let off = 0; off < gz.length; off += 64) yield gz.subarray(off, off + 64);
      } finally {
        closed = true;
      }
    }
    const reader = await openCsv(source(), { batchRows: 10 });
    for await (const b of reader) {
      expect(b.rowCount).toBe(10);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
  });

  test('a malformed header releases the source', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield bytesOf('a,b"c\n');
        yield bytesOf('1,2\n');
      } finally {
        closed = true;
      }
    }
    await expect(openCsv(source())).rejects.toThrow(CsvFormatError);
    expect(closed).toBe(true);
  });
});

const ORDER_ITEMS = '/work/shared/data/ecommerce/order_items.csv';
const SERTIS = '/work/shared/data/sertis/transaction.csv';
const haveData = existsSync(ORDER_ITEMS) && existsSync(SERTIS);

(haveData ? describe : describe.skip)('shared data files', () => {
  test('order_items.csv: 40,803 rows, no malformed rows, every row rebuilds to its line', async () => {
    const reader = await openCsv(fileSource(ORDER_ITEMS, 1 << 16), { batchRows: 10_000 });
    expect(reader.header).toEqual([
      'id',
      'order_id',
      'user_id',
      'days_since_prior_order',
      'product_id',
      'add_to_cart_order',
      'reordered',
      'order_timestamp',
      'date',
    ]);
    const fileLines = readFileSync(ORDER_ITEMS, 'utf8').split('\n');
    let rows = 0;
    let malformed = 0;
    let badLines = 0;
    let badText = 0;
    for await (const b of reader) {
      malformed += b.malformed.length;
      for (let r = 0; r < b.rowCount; r++) {
        if (b.lines[r] !== rows + 2) badLines++;
        if (rowText(b, r) !== fileLines[b.lines[r]! - 1]) badText++;
        rows++;
      }
    }
    expect(malformed).toBe(0);
    expect(rows).toBe(40_803);
    expect([badLines, badText]).toEqual([0, 0]);
  });

  test('order_items.csv gzipped gives the same rows', async () => {
    const gz = gzipSync(readFileSync(ORDER_ITEMS));
    const reader = await openCsv(bytesSource(gz, 1 << 14));
    let rows = 0;
    for await (const b of reader) rows += b.rowCount;
    expect(rows).toBe(40_803);
  });

  test('sertis transaction.csv with | : 13,355 rows, custId keeps its leading zeros', async () => {
    const reader = await openCsv(fileSource(SERTIS), { delimiter: '|' });
    expect(reader.header).toEqual(['transactionId', 'custId', 'transactionDate', 'productSold', 'unitsSold']);
    let rows = 0;
    let malformed = 0;
    let first: string | null = null;
    for await (const b of reader) {
      malformed += b.malformed.length;
      if (first === null && b.rowCount > 0) first = readField(b, 0, 1);
      rows += b.rowCount;
    }
    expect(malformed).toBe(0);
    expect(rows).toBe(13_355);
    expect(first).toBe('0023586');
  });
});
