/**
 * Seeded, realistic sample data for `lakehouse demo`: products, several days of orders and their items
 * as raw CSV drops, with a known number of defects of every rule. The returned expectations say
 * exactly which rejections a correct pipeline must report.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pick, prng, randInt, type Random } from './prng.js';

/** Options of the generator. */
export interface DemoDataOptions {
  /** Folder that receives `products/`, `orders/` and `order_items/`. */
  rawDir: string;
  /** Seed; the same seed gives the same files. */
  seed?: number;
  /** Days of orders, starting 2025-04-01 (default 5). */
  days?: number;
  /** Orders per day (default 200). */
  ordersPerDay?: number;
  /** Products (default 300). */
  products?: number;
}

/** What a correct pipeline must report for the generated files. */
export interface DemoExpectations {
  /** Rows per dataset in the files (data rows, excluding headers; malformed rows included). */
  read: Record<string, number>;
  /** Rejected rows per dataset and rule. */
  rejected: Record<string, Record<string, number>>;
  /** The files written, relative to rawDir. */
  files: string[];
}

const DEPARTMENTS = ['Produce', 'Dairy & Eggs', 'Bakery', 'Beverages', 'Snacks', 'Frozen', 'Pantry', 'Household', 'Personal Care', 'Pets'];
const ADJECTIVES = ['Organic', 'Fresh', 'Classic', 'Crunchy', 'Spicy', 'Sparkling', 'Whole', 'Greek', 'Smoked', 'Honey'];
const NOUNS = ['Bananas', 'Yogurt', 'Sourdough', 'Cold Brew', 'Tortilla Chips', 'Peas', 'Olive Oil', 'Dish Soap', 'Shampoo', 'Cat Food', 'Almonds', 'Salsa'];

const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (day: number) => new Date(Date.UTC(2025, 3, 1 + day)).toISOString().slice(0, 10);
const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const line = (fields: (string | number)[]) => fields.map((f) => csvField(String(f))).join(',');

function bump(map: Record<string, Record<string, number>>, dataset: string, rule: string, n = 1): void {
  map[dataset] ??= {};
  map[dataset][rule] = (map[dataset][rule] ?? 0) + n;
}

function timestamp(rand: Random, day: number): string {
  return `${isoDate(day)}T${pad(randInt(rand, 6, 22))}:${pad(randInt(rand, 0, 59))}:${pad(randInt(rand, 0, 59))}`;
}

/** Write the demo raw zone and return what the pipeline must find in it. */
export async function generateEcommerceDemo(options: DemoDataOptions): Promise<DemoExpectations> {
  const rand = prng(options.seed ?? 42);
  const days = options.days ?? 5;
  const perDay = options.ordersPerDay ?? 200;
  const productCount = options.products ?? 300;
  const rejected: Record<string, Record<string, number>> = {};
  const read: Record<string, number> = { products: 0, orders: 0, order_items: 0 };
  const files: string[] = [];
  const write = async (dataset: string, name: string, header: string, rows: string[]) => {
    await mkdir(join(options.rawDir, dataset), { recursive: true });
    await writeFile(join(options.rawDir, dataset, name), `${header}\n${rows.join('\n')}\n`);
    files.push(`${dataset}/${name}`);
    read[dataset] = (read[dataset] ?? 0) + rows.length;
  };

  // Products: a dimension, with three defective rows.
  const products: string[] = [];
  for (let id = 1; id <= productCount; id++) {
    const dept = randInt(rand, 0, DEPARTMENTS.length - 1);
    products.push(line([id, dept + 1, DEPARTMENTS[dept]!, `${pick(rand, ADJECTIVES)} ${pick(rand, NOUNS)} ${id}`]));
  }
  products.push(products[10]!); // an exact copy
  bump(rejected, 'products', 'duplicate_row');
  products.push(line(['', 3, 'Bakery', 'Mystery Loaf'])); // no key
  bump(rejected, 'products', 'not_null');
  products.push(line([productCount + 1, 'four', 'Pantry', 'Typo Rice'])); // non-numeric department_id
  bump(rejected, 'products', 'type');
  await write('products', 'products.csv', 'product_id,department_id,department,product_name', products);

  // Orders and items, one drop per day.
  let orderId = 10_000;
  let itemId = 1;
  const orderHeader = 'order_num,order_id,user_id,order_timestamp,total_amount,date';
  const itemHeader = 'id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date';
  for (let day = 0; day < days; day++) {
    const orders: string[] = [];
    const items: string[] = [];
    const date = isoDate(day);
    /** Order ids whose row is defective (their items then fail foreign_key). */
    const badOrders = new Set<number>();
    for (let n = 0; n < perDay; n++) {
      const id = orderId++;
      const user = randInt(rand, 1, 5000);
      const ts = timestamp(rand, day);
      const count = randInt(rand, 1, 8);
      let total = 0;
      const priorDays = rand() < 0.15 ? '' : String(randInt(rand, 0, 30));
      for (let k = 1; k <= count; k++) {
        total += randInt(rand, 150, 4000) / 100;
        items.push(line([itemId++, id, user, priorDays, randInt(rand, 1, productCount), k, rand() < 0.6 ? 1 : 0, ts, date]));
      }
      orders.push(line([randInt(rand, 1, 100), id, user, ts, total.toFixed(2), date]));
    }
    // One defect of each order rule per day, on distinct orders near the start of the day.
    const base = orderId - perDay;
    const rowOf = (id: number) => id - base;
    const withField = (id: number, field: number, value: string) => {
      const cells = orders[rowOf(id)]!.split(',');
      cells[field] = value;
      orders[rowOf(id)] = cells.join(',');
      badOrders.add(id);
    };
    withField(base + 1, 4, '-12.50'); // range: total_amount must be > 0
    bump(rejected, 'orders', 'range');
    withField(base + 2, 3, `${date}T25:61:00`); // timestamp_format: impossible time
    bump(rejected, 'orders', 'timestamp_format');
    orders[rowOf(base + 3)] = orders[rowOf(base + 3)]!.split(',').slice(0, 5).join(','); // malformed_row: a field short
    badOrders.add(base + 3);
    bump(rejected, 'orders', 'malformed_row');
    withField(base + 4, 1, ''); // not_null: no order_id (its items keep pointing at base+4)
    bump(rejected, 'orders', 'not_null');
    orders.push(orders[rowOf(base + 5)]!); // duplicate_row: an exact copy
    bump(rejected, 'orders', 'duplicate_row');
    const later = orders[rowOf(base + 6)]!.split(',');
    later[3] = `${date}T23:59:59`;
    orders.push(later.join(',')); // duplicate_key: same order again, later: it wins, the first is rejected
    bump(rejected, 'orders', 'duplicate_key');
    // Items of rejected orders fail foreign_key; plus an orphan and an unknown product, and item defects.
    const itemRows = items.map((row) => row.split(','));
    let orphanFk = 0;
    for (const cells of itemRows) if (badOrders.has(Number(cells[1]))) orphanFk++;
    bump(rejected, 'order_items', 'foreign_key', orphanFk);
    items.push(line([itemId++, 999_999, 1, '', 1, 1, 0, `${date}T12:00:00`, date])); // order that never existed
    items.push(line([itemId++, base + 10, 1, '', productCount + 500, 9, 0, `${date}T12:00:00`, date])); // unknown product
    bump(rejected, 'order_items', 'foreign_key', 2);
    items.push(line([itemId++, base + 10, 1, '', 1, 10, 2, `${date}T12:00:00`, date])); // reordered must be 0 or 1
    bump(rejected, 'order_items', 'range');
    items.push(line([`${itemId++}x`, base + 10, 1, '', 1, 11, 0, `${date}T12:00:00`, date])); // non-numeric id
    bump(rejected, 'order_items', 'type');
    await write('orders', `orders-${date}.csv`, orderHeader, orders);
    await write('order_items', `order_items-${date}.csv`, itemHeader, items);
  }
  // A legacy export with a renamed column: the whole file is rejected.
  const legacy = [line([1, 90_000, 1, '2025-04-01T10:00:00', '10.00', '2025-04-01']), line([2, 90_001, 1, '2025-04-01T11:00:00', '12.00', '2025-04-01'])];
  await write('orders', 'orders-legacy-export.csv', 'order_num,order_id,customer_id,order_timestamp,total_amount,date', legacy);
  bump(rejected, 'orders', 'header_mismatch', legacy.length);
  return { read, rejected, files };
}
