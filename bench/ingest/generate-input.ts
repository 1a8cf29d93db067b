/**
 * Seeded input for the ingest benchmark: products (1,000), orders (one per 5 items) and an
 * order_items-shaped CSV of N rows over 15 dates, written under `<dir>/raw/<dataset>/`.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { prng, randInt } from '../../pipelines/demo/prng.js';

const pad = (n: number) => String(n).padStart(2, '0');

async function writeLines(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** Write the three files; returns the order_items CSV path. */
export async function generateIngestInput(dir: string, rows: number, seed = 1): Promise<string> {
  const rand = prng(seed);
  for (const d of ['products', 'orders', 'order_items']) mkdirSync(join(dir, 'raw', d), { recursive: true });
  await writeLines(join(dir, 'raw', 'products', 'products.csv'), 'product_id,department_id,department,product_name', 1000, (i) => `${i + 1},${(i % 6) + 1},Dept ${i % 6},Product ${i + 1}`);
  const orders = Math.ceil(rows / 5);
  const dayOf = (order: number) => order % 15;
  const tsOf = (order: number) => {
    const s = (order * 7919) % 86_400;
    return `2025-04-${pad(1 + dayOf(order))}T${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  };
  await writeLines(join(dir, 'raw', 'orders', 'orders.csv'), 'order_num,order_id,user_id,order_timestamp,total_amount,date', orders, (o) =>
    `${(o % 100) + 1},${o},${(o % 5000) + 1},${tsOf(o)},${(10 + (o % 500) / 7).toFixed(2)},2025-04-${pad(1 + dayOf(o))}`,
  );
  const items = join(dir, 'raw', 'order_items', 'order_items.csv');
  await writeLines(items, 'id,order_id,user_id,days_since_prior_order,product_id,add_to_cart_order,reordered,order_timestamp,date', rows, (i) => {
    const o = Math.floor(i / 5);
    const dspo = rand() < 0.1 ? '' : String(randInt(rand, 0, 30));
    return `${i + 1},${o},${(o % 5000) + 1},${dspo},${randInt(rand, 1, 1000)},${(i % 5) + 1},${rand() < 0.6 ? 1 : 0},${tsOf(o)},2025-04-${pad(1 + dayOf(o))}`;
  });
  return items;
}
