/**
 * Column decoders: typed values straight from batch bytes, null versus error handling, impossible
 * dates and times, and decoding of the shared data files.
 */
import { existsSync } from 'node:fs';
import {
  CsvTokenizer,
  decodeBool,
  decodeDate,
  decodeDictionary,
  decodeFloat64,
  decodeInt32,
  decodeInt64,
  decodeString,
  decodeTimestamp,
  fileSource,
  openCsv,
  parseFloat64At,
  parseTimestampAt,
  readField,
  rowText,
  type CsvBatch,
  type CsvOptions,
  type DecodedColumn,
} from '../../validation/csv/index.js';
import { UsageError } from '../../etl/errors.js';

const enc = new TextEncoder();

/** One batch holding a single column `v` with the given raw field texts (already CSV-quoted where wanted). */
function column(fields: string[], options?: CsvOptions): CsvBatch {
  const t = new CsvTokenizer({ batchRows: 1 << 20, ...options });
  const text = 'v,pad\n' + fields.map((f) => `${f},x`).join('\n') + '\n';
  const batches = [...t.push(enc.encode(text)), ...t.finish()];
  expect(batches.length).toBe(1);
  expect(batches[0]!.malformed).toEqual([]);
  expect(batches[0]!.rowCount).toBe(fields.length);
  return batches[0]!;
}

type Cell<T> = T | 'null' | 'error';

/** The decoded column as one value per row, 'null' or 'error'. */
function cells<T, V extends ArrayLike<T>>(d: DecodedColumn<V>): Cell<T>[] {
  const out: Cell<T>[] = [];
  let nulls = 0;
  let errors = 0;
  let both = 0;
  for (let r = 0; r < d.valid.length; r++) {
    if (d.valid[r]! + d.errors[r]! > 1) both++;
    if (d.errors[r]) {
      errors++;
      out.push('error');
    } else if (!d.valid[r]) {
      nulls++;
      out.push('null');
    } else out.push(d.values[r]!);
  }
  expect(both).toBe(0); // valid and error are exclusive
  expect(d.nullCount).toBe(nulls);
  expect(d.errorCount).toBe(errors);
  return out;
}

describe('decodeInt32', () => {
  test('signs, zeros, limits, overflow, junk, null versus quoted empty', () => {
    const b = column(['0', '42', '-7', '+8', '007', '2147483647', '-2147483648', '2147483648', '-2147483649', '99999999999', '', '""', '"12"', '1.0', ' 1', '1 ', '-', '+', '1e3', '12a', '0x1F', '999999999', '1000000000', '0000000012', '12345678a']);
    expect(cells(decodeInt32(b, 0))).toEqual([
      0, 42, -7, 8, 7, 2147483647, -2147483648, 'error', 'error', 'error', 'null', 'error', 12, 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error',
      999999999, 1000000000, 12, 'error',
    ]);
  });

  test('null token NA: unquoted NA is null, quoted "NA" and empty are errors', () => {
    const b = column(['NA', '"NA"', '', '5'], { nullToken: 'NA' });
    expect(cells(decodeInt32(b, 0))).toEqual(['null', 'error', 'error', 5]);
  });

  test('a column that does not exist is a usage error', () => {
    expect(() => decodeInt32(column(['1']), 5)).toThrow(UsageError);
  });
});

describe('decodeInt64', () => {
  test('small and large values, both limits, overflow', () => {
    const b = column([
      '0',
      '-1',
      '4294967296',
      '-4294967296',
      '-4294967297',
      '9007199254740991',
      '-9007199254740993',
      '9223372036854775807',
      '-9223372036854775808',
      '9223372036854775808',
      '-9223372036854775809',
      '000000000000000000000012',
      '',
      'x1',
    ]);
    expect(cells(decodeInt64(b, 0))).toEqual([
      0n,
      -1n,
      4294967296n,
      -4294967296n,
      -4294967297n,
      9007199254740991n,
      -9007199254740993n,
      9223372036854775807n,
      -9223372036854775808n,
      'error',
      'error',
      12n,
      'null',
      'error',
    ]);
  });

  test('random values round-trip exactly', () => {
    const rand = prng(99);
    const vals: bigint[] = [];
    for (let i = 0; i < 2000; i++) {
      const digits = 1 + Math.floor(rand() * 18);
      let s = String(1 + Math.floor(rand() * 9));
      for (let k = 1; k < digits; k++) s += String(Math.floor(rand() * 10));
      vals.push(rand() < 0.5 ? -BigInt(s) : BigInt(s));
    }
    expect(cells(decodeInt64(column(vals.map(String)), 0))).toEqual(vals);
  });
});

describe('decodeFloat64', () => {
  test('plain decimals, exponents, signs, and rejected forms', () => {
    const b = column(['1', '-2.5', '+3.25', '.5', '5.', '1e3', '1E-3', '-1.5e+2', '0.1', '0', '-0', '123456789012345678901234567890', '1e400', 'NaN', 'Infinity', '1e', '.', '-', '1.2.3', ' 1', '0x10', '"1,5"', '', '""']);
    const got = cells(decodeFloat64(b, 0));
    expect(got).toEqual([1, -2.5, 3.25, 0.5, 5, 1000, 0.001, -150, 0.1, 0, -0, 1.2345678901234568e29, 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'error', 'null', 'error']);
    expect(Object.is(got[10], -0)).toBe(true);
  });

  test('random decimals parse exactly like Number()', () => {
    const rand = prng(5);
    const texts: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const intDigits = Math.floor(rand() * 12);
      const fracDigits = Math.floor(rand() * 14);
      let s = rand() < 0.3 ? '-' : '';
      for (let k = 0; k < intDigits; k++) s += String(Math.floor(rand() * 10));
      if (fracDigits > 0 || intDigits === 0) {
        s += '.';
        for (let k = 0; k < Math.max(1, fracDigits); k++) s += String(Math.floor(rand() * 10));
      }
      if (rand() < 0.3) s += `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 40)}`;
      texts.push(s);
    }
    texts.push('0.1', '0.2', '0.3', '1.7976931348623157e308', '5e-324', '2.2250738585072014e-308', '9007199254740993', '123456.789012345');
    const bytes = enc.encode(texts.join(' '));
    let off = 0;
    for (const t of texts) {
      expect([t, parseFloat64At(bytes, off, off + t.length)]).toEqual([t, Number(t)]);
      off += t.length + 1;
    }
  });
});

describe('decodeBool', () => {
  test('accepted spellings, any case', () => {
    const b = column(['true', 'FALSE', 'True', 't', 'F', '1', '0', 'yes', 'No', 'y', 'N', '', 'maybe', '2', 'tru', 'truee']);
    expect(cells(decodeBool(b, 0))).toEqual([1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 'null', 'error', 'error', 'error', 'error']);
  });
});

const DAY_MS = 86_400_000;

describe('decodeDate', () => {
  test('days since the epoch; leap years; impossible dates are errors', () => {
    const b = column(['1970-01-01', '1969-12-31', '2025-04-01', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '2025-02-29', '1900-02-29', '2025-02-30', '2025-13-01', '2025-00-10', '2025-04-31', '2025-04-00', '2025-4-1', '2025/04/01', '2025-04-01T00:00:00', '']);
    expect(cells(decodeDate(b, 0))).toEqual([
      0,
      -1,
      Date.UTC(2025, 3, 1) / DAY_MS,
      Date.UTC(2024, 1, 29) / DAY_MS,
      Date.UTC(2000, 1, 29) / DAY_MS,
      -719162,
      2932896,
      'error',
      'error',
      'error',
      'error',
      'error',
      'error',
      'error',
      'error',
      'error',
      'error',
      'null',
    ]);
  });

  test('every day of 1899-2101 matches Date.UTC', () => {
    const texts: string[] = [];
    const want: number[] = [];
    for (let ms = Date.UTC(1899, 0, 1); ms <= Date.UTC(2101, 0, 1); ms += DAY_MS) {
      texts.push(new Date(ms).toISOString().slice(0, 10));
      want.push(ms / DAY_MS);
    }
    expect(cells(decodeDate(column(texts), 0))).toEqual(want);
  });
});

describe('decodeTimestamp', () => {
  const us = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

  test('T or space, fractions 1-9 digits (truncated to µs), Z and offsets, normalised to UTC', () => {
    const b = column([
      '2025-04-01T10:15:30',
      '2025-04-01 10:15:30',
      '2025-04-01T10:15',
      '2025-04-01T10:15:30Z',
      '2025-04-01T10:15:30.5',
      '2025-04-01T10:15:30.123456',
      '2025-04-01T10:15:30.123456789',
      '2025-04-01T10:15:30+02:00',
      '2025-04-01T10:15:30-0530',
      '2025-04-01T10:15:30.25+01',
      '1969-12-31T23:59:59.999999Z',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999999Z',
      '2025-04-01T10:15+01',
      '2025-04-01T10:15-0130',
      '',
    ]);
    expect(cells(decodeTimestamp(b, 0))).toEqual([
      us('2025-04-01T10:15:30Z'),
      us('2025-04-01T10:15:30Z'),
      us('2025-04-01T10:15:00Z'),
      us('2025-04-01T10:15:30Z'),
      us('2025-04-01T10:15:30Z') + 500_000n,
      us('2025-04-01T10:15:30Z') + 123_456n,
      us('2025-04-01T10:15:30Z') + 123_456n,
      us('2025-04-01T08:15:30Z'),
      us('2025-04-01T15:45:30Z'),
      us('2025-04-01T09:15:30Z') + 250_000n,
      -1n,
      -62135596800000000n,
      253402300799999999n,
      us('2025-04-01T09:15:00Z'),
      us('2025-04-01T11:45:00Z'),
      'null',
    ]);
  });

  test('impossible or malformed timestamps are errors', () => {
    const bad = [
      '2025-02-30T00:00:00',
      '2025-13-01T00:00:00',
      '2025-04-01T24:00:00',
      '2025-04-01T23:60:00',
      '2025-04-01T23:59:60',
      '2025-04-01T10:15:30.',
      '2025-04-01T10:15:30.1234567890',
      '2025-04-01T10:15:30+24:00',
      '2025-04-01T10:15:30+02:60',
      '2025-04-01T10:15:30+2',
      '2025-04-01T10:15:30+02:',
      '2025-04-01T10:15:30 Z',
      '2025-04-01T10:15:3Z',
      '2025-04-01X10:15:30',
      '2025-04-01T10-15:30',
      '2025-04-01T10:15:30Zx',
      '2025-04-01t10:15:30',
      '2025-04-01',
      '2025-04-01T1:15:30',
      '2025-04-01T10:1',
      '"2025-04-01T10:15:30 "',
    ];
    expect(cells(decodeTimestamp(column(bad), 0))).toEqual(bad.map(() => 'error'));
  });

  test('random instants with random offsets match Date', () => {
    const rand = prng(11);
    const texts: string[] = [];
    const want: bigint[] = [];
    for (let i = 0; i < 3000; i++) {
      const ms = Math.floor((rand() - 0.3) * 4e12);
      const micros = Math.floor(rand() * 1000);
      const offMin = (Math.floor(rand() * 57) - 28) * 30;
      const local = new Date(ms + offMin * 60_000).toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
      const sign = offMin < 0 ? '-' : '+';
      const a = Math.abs(offMin);
      const off = `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
      texts.push(`${local.slice(0, 23)}${String(micros).padStart(3, '0')}${off}`);
      want.push(BigInt(ms) * 1000n + BigInt(micros));
    }
    expect(cells(decodeTimestamp(column(texts), 0))).toEqual(want);
    const b0 = enc.encode(texts[0]!);
    expect(parseTimestampAt(b0, 0, b0.length)).toBe(want[0]);
  });
});

describe('decodeString and decodeDictionary', () => {
  const fields = ['apple', '""', '', '"say ""hi"""', 'é日本', '"a,b"', 'apple', '"apple"', '"x\ny"', 'é日本'];

  test('strings: unescaped, quoted empty versus null, non-ASCII', () => {
    expect(cells(decodeString(column(fields), 0))).toEqual(['apple', '', 'null', 'say "hi"', 'é日本', 'a,b', 'apple', 'apple', 'x\ny', 'é日本']);
  });

  test('dictionary: first-appearance order, shared entries, nulls', () => {
    const d = decodeDictionary(column(fields), 0)!;
    expect(d.values.dictionary).toEqual(['apple', '', 'say "hi"', 'é日本', 'a,b', 'x\ny']);
    expect(Array.from(d.values.indices)).toEqual([0, 1, 0, 2, 3, 4, 0, 0, 5, 3]);
    expect(Array.from(d.valid)).toEqual([1, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(d.nullCount).toBe(1);
    expect(d.values.dictionary[d.values.indices[5]!]).toBe('a,b');
  });

  test('dictionary gives up above maxSize', () => {
    const b = column(Array.from({ length: 100 }, (_, i) => `v${i % 20}`));
    expect(decodeDictionary(b, 0, 20)!.values.dictionary.length).toBe(20);
    expect(decodeDictionary(b, 0, 19)).toBeUndefined();
  });

  test('dictionary survives many distinct values and hash collisions', () => {
    const vals = Array.from({ length: 5000 }, (_, i) => `k${(i * 7919) % 3001}`);
    const d = decodeDictionary(column(vals), 0)!;
    expect(d.values.dictionary.length).toBe(3001);
    expect(Array.from(d.values.indices, (k) => d.values.dictionary[k])).toEqual(vals);
  });

  test('a BOM inside a field is kept', () => {
    expect(decodeString(column(['\uFEFFx']), 0).values).toEqual(['\uFEFFx']);
  });
});

describe('readField and rowText', () => {
  test('read single fields and rebuild rows for quarantine messages', () => {
    const t = new CsvTokenizer();
    const [b] = [...t.push(enc.encode('a,b,c\n"q ""x""",,"z"\r\n1,"",3\n')), ...t.finish()];
    expect(readField(b!, 0, 0)).toBe('q "x"');
    expect(readField(b!, 0, 1)).toBeNull();
    expect(readField(b!, 1, 1)).toBe('');
    expect(rowText(b!, 0)).toBe('"q ""x""",,"z"');
    expect(rowText(b!, 1)).toBe('1,"",3');
  });
});

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

const ORDER_ITEMS = '/work/shared/data/ecommerce/order_items.csv';
const SERTIS = '/work/shared/data/sertis/transaction.csv';
const haveData = existsSync(ORDER_ITEMS) && existsSync(SERTIS);

(haveData ? describe : describe.skip)('decoding the shared data files', () => {
  test('order_items.csv: every column decodes without errors', async () => {
    const reader = await openCsv(fileSource(ORDER_ITEMS));
    let rows = 0;
    let errors = 0;
    let firstTs: bigint | undefined;
    let firstDate: number | undefined;
    for await (const b of reader) {
      for (let c = 0; c <= 6; c++) errors += decodeInt32(b, c).errorCount;
      const ts = decodeTimestamp(b, 7);
      const date = decodeDate(b, 8);
      errors += ts.errorCount + date.errorCount;
      firstTs ??= ts.values[0];
      firstDate ??= date.values[0];
      rows += b.rowCount;
    }
    expect(rows).toBe(40_803);
    expect(errors).toBe(0);
    expect(firstTs).toBe(BigInt(Date.UTC(2025, 3, 1, 11, 27)) * 1000n);
    expect(firstDate).toBe(Date.UTC(2025, 3, 1) / DAY_MS);
  });

  test('sertis transaction.csv: custId as strings keeps leading zeros; dates and units decode', async () => {
    const reader = await openCsv(fileSource(SERTIS), { delimiter: '|' });
    let rows = 0;
    let errors = 0;
    let leadingZero = 0;
    for await (const b of reader) {
      const cust = decodeString(b, 1);
      for (const v of cust.values) if (v.startsWith('0')) leadingZero++;
      expect(cust.values[0]).toBe(readField(b, 0, 1));
      errors += decodeDate(b, 2).errorCount + decodeInt32(b, 4).errorCount;
      const products = decodeDictionary(b, 3);
      expect(products).toBeDefined();
      rows += b.rowCount;
      if (rows === b.rowCount) expect(rowText(b, 0)).toBe('20110111-0023586|0023586|2011-01-11|DETA800|176');
    }
    expect(rows).toBe(13_355);
    expect(errors).toBe(0);
    expect(leadingZero).toBeGreaterThan(0);
  });
});
