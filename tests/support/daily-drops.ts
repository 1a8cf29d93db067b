/** The real e-commerce sample split into one raw drop per order date, as the pipeline would receive it. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECOMMERCE_DIR } from './ecommerce-tables.js';

/** Lines of a CSV file of the sample (header first), without the trailing empty line. */
export function sampleLines(name: string): string[] {
  return readFileSync(join(ECOMMERCE_DIR, name), 'utf8').split('\n').filter((l) => l !== '');
}

/** The 15 order dates of the sample, in order. */
export function sampleDates(): string[] {
  const [header, ...rows] = sampleLines('orders.csv');
  const col = header!.split(',').indexOf('date');
  return [...new Set(rows.map((r) => r.split(',')[col]!))].sort();
}

/** Write products (once) into `<raw>/products/`. */
export function dropProducts(raw: string): void {
  mkdirSync(join(raw, 'products'), { recursive: true });
  writeFileSync(join(raw, 'products', 'products.csv'), `${sampleLines('products.csv').join('\n')}\n`);
}

/** Write the orders and order_items of one date into `<raw>/orders/` and `<raw>/order_items/`; returns their row counts. */
export function dropDate(raw: string, date: string): { orders: number; items: number } {
  const counts = { orders: 0, items: 0 };
  for (const [dataset, file, key] of [
    ['orders', 'orders.csv', 'orders'],
    ['order_items', 'order_items.csv', 'items'],
  ] as const) {
    const [header, ...rows] = sampleLines(file);
    const col = header!.split(',').indexOf('date');
    const mine = rows.filter((r) => r.split(',')[col] === date);
    mkdirSync(join(raw, dataset), { recursive: true });
    writeFileSync(join(raw, dataset, `${dataset}-${date}.csv`), `${[header, ...mine].join('\n')}\n`);
    counts[key] = mine.length;
  }
  return counts;
}
