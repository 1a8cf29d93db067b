/**
 * The real e-commerce data (../shared/data/ecommerce, copied to a temp folder): it loads with zero
 * rejections and every accepted row reads back exactly as its source line; then defects injected into
 * copies produce exactly the injected rejections (and the rejections they cause downstream: the items of
 * a rejected order fail foreign_key), nothing else.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ecommerce } from '../../validation/contracts/ecommerce.js';
import { fileInput, ValidationRun, type DatasetResult, type RuleCode } from '../../validation/index.js';
import { acceptedLines } from '../support/validation-harness.js';

const SOURCE = join(process.cwd(), '..', 'shared', 'data', 'ecommerce');
const NAMES = ['products', 'orders', 'order_items'] as const;
type Name = (typeof NAMES)[number];

let dir: string;
let original: Record<Name, string[]>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'validation-ecommerce-'));
  original = {} as Record<Name, string[]>;
  for (const name of NAMES) {
    copyFileSync(join(SOURCE, `${name}.csv`), join(dir, `${name}.csv`));
    original[name] = readFileSync(join(dir, `${name}.csv`), 'utf8').replace(/\n$/, '').split('\n');
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Source lines as the accepted rows render them: amounts as JS numbers print them (`260.0` -> `260`). */
function canonical(name: Name, lines: string[]): string[] {
  if (name !== 'orders') return lines;
  return lines.map((l) => {
    const parts = l.split(',');
    parts[4] = String(Number(parts[4]));
    return parts.join(',');
  });
}

interface Loaded {
  results: Record<Name, DatasetResult>;
  accepted: Record<Name, string[]>;
}

/** Validates the three files in `folder` (named `<dataset><suffix>`) in one run. */
async function load(folder: string, suffix = '.csv'): Promise<Loaded> {
  const run = new ValidationRun({ runId: 'real-data' });
  const inputs = Object.fromEntries(NAMES.map((n) => [n, [fileInput(join(folder, `${n}${suffix}`))]]));
  const results = {} as Record<Name, DatasetResult>;
  const accepted = {} as Record<Name, string[]>;
  for await (const result of run.validateAll(ecommerce, inputs)) {
    results[result.dataset as Name] = result;
    accepted[result.dataset as Name] = await acceptedLines(result);
  }
  return { results, accepted };
}

describe('the real e-commerce data', () => {
  test('loads with zero rejections, and every accepted row is its source line', async () => {
    const { results, accepted } = await load(dir);
    expect(NAMES.map((n) => [n, results[n].summary.read, results[n].summary.accepted, results[n].summary.rejected])).toEqual([
      ['products', 1000, 1000, 0],
      ['orders', 7500, 7500, 0],
      ['order_items', 40803, 40803, 0],
    ]);
    for (const n of NAMES) {
      expect(results[n].rejected).toEqual([]);
      expect(accepted[n]).toEqual(canonical(n, original[n].slice(1)));
    }
  });

  test('gzip copies load the same', async () => {
    const gz = mkdtempSync(join(tmpdir(), 'validation-ecommerce-gz-'));
    try {
      for (const n of NAMES) writeFileSync(join(gz, `${n}.csv.gz`), gzipSync(readFileSync(join(dir, `${n}.csv`))));
      const { results, accepted } = await load(gz, '.csv.gz');
      for (const n of NAMES) {
        expect(results[n].summary.rejected).toBe(0);
        expect(accepted[n]).toEqual(canonical(n, original[n].slice(1)));
      }
    } finally {
      rmSync(gz, { recursive: true, force: true });
    }
  });

  test('injected defects produce exactly the injected rejections', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'validation-ecommerce-defects-'));
    try {
      const lines = { products: [...original.products], orders: [...original.orders], order_items: [...original.order_items] };
      const expected: [Name, RuleCode, number][] = [];
      /** Replaces field `field` of 1-based line `line` of `name`. */
      const setField = (name: Name, line: number, field: number, value: string): string => {
        const parts = lines[name][line - 1]!.split(',');
        const old = parts[field]!;
        parts[field] = value;
        lines[name][line - 1] = parts.join(',');
        return old;
      };
      const append = (name: Name, text: string): number => lines[name].push(text);

      // products
      setField('products', 11, 0, '');
      expected.push(['products', 'not_null', 11]);
      setField('products', 21, 1, 'four');
      expected.push(['products', 'type', 21]);
      const renamed = lines.products[30]!.replace(/,[^,]*$/, ',Renamed product'); // line 31 re-sent with a new name: the later row wins
      append('products', renamed);
      expected.push(['products', 'duplicate_key', 31]);
      append('products', lines.products[40]!); // exact copy of line 41
      expected.push(['products', 'duplicate_row', lines.products.length]);
      const rejectedProducts = new Set([11, 21].map((line) => original.products[line - 1]!.split(',')[0]!));

      // orders
      const orderIdOf = (line: number) => lines.orders[line - 1]!.split(',')[1]!;
      setField('orders', 101, 4, '-3.5');
      expected.push(['orders', 'range', 101]);
      setField('orders', 201, 5, '2025-04-09');
      expected.push(['orders', 'range', 201]);
      setField('orders', 301, 3, '2025-02-30T21:16:00');
      expected.push(['orders', 'timestamp_format', 301]);
      lines.orders[401 - 1] = lines.orders[401 - 1]!.split(',').slice(0, 5).join(',');
      expected.push(['orders', 'malformed_row', 401]);
      const rejectedOrders = new Set([orderIdOf(101), orderIdOf(201), orderIdOf(301), original.orders[400]!.split(',')[1]!]);

      // order_items
      setField('order_items', 51, 6, '7');
      expected.push(['order_items', 'range', 51]);
      setField('order_items', 61, 4, '99999');
      expected.push(['order_items', 'foreign_key', 61]);
      setField('order_items', 71, 5, 'abc');
      expected.push(['order_items', 'type', 71]);
      setField('order_items', 81, 8, '2025-05-01');
      expected.push(['order_items', 'range', 81]);
      append('order_items', lines.order_items[90]!);
      expected.push(['order_items', 'duplicate_row', lines.order_items.length]);
      lines.order_items[111 - 1] = lines.order_items[111 - 1]! + ',extra';
      expected.push(['order_items', 'malformed_row', 111]);
      // Consequences: items whose order or product was rejected fail foreign_key.
      lines.order_items.forEach((text, i) => {
        if (i === 0 || expected.some(([n, , l]) => n === 'order_items' && l === i + 1)) return;
        const parts = text.split(',');
        if (rejectedOrders.has(parts[1]!) || rejectedProducts.has(parts[4]!)) expected.push(['order_items', 'foreign_key', i + 1]);
      });

      for (const n of NAMES) writeFileSync(join(copy, `${n}.csv`), lines[n].join('\n') + '\n');
      const { results, accepted } = await load(copy);
      const got = NAMES.flatMap((n) => results[n].rejected.map((r): [Name, RuleCode, number] => [n, r.rule, r.source_line]));
      const order = (a: [Name, RuleCode, number], b: [Name, RuleCode, number]) => NAMES.indexOf(a[0]) - NAMES.indexOf(b[0]) || a[2] - b[2];
      expect(got).toEqual([...expected].sort(order));
      expect(expected.filter(([n, r]) => n === 'order_items' && r === 'foreign_key').length).toBeGreaterThan(5);
      for (const n of NAMES) {
        const s = results[n].summary;
        expect(s.read).toBe(s.accepted + s.rejected);
        expect(accepted[n]).toHaveLength(s.accepted);
      }
      // The re-sent product replaced the original one in the output.
      expect(accepted.products).toContain(renamed);
      expect(accepted.products).toHaveLength(1000 - 2);
      expect(accepted.products).not.toContain(original.products[30]);
      expect(results.products.rejected.find((r) => r.rule === 'duplicate_key')!.raw_record).toBe(original.products[30]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
