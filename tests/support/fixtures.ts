/** Arrow data shaped like the e-commerce order_items table, generated from a seed. */
import * as arrow from 'apache-arrow';
import { prng } from '../../pipelines/demo/prng.js';

export { prng };

/** The order_items schema (partitioned by `date`). */
export const ORDER_ITEMS_SCHEMA = new arrow.Schema([
  new arrow.Field('id', new arrow.Int32(), false),
  new arrow.Field('order_id', new arrow.Int32(), false),
  new arrow.Field('user_id', new arrow.Int32(), true),
  new arrow.Field('days_since_prior_order', new arrow.Int32(), true),
  new arrow.Field('product_id', new arrow.Int32(), false),
  new arrow.Field('add_to_cart_order', new arrow.Int32(), true),
  new arrow.Field('reordered', new arrow.Int32(), true),
  new arrow.Field('order_timestamp', new arrow.TimestampMicrosecond('UTC'), false),
  new arrow.Field('date', new arrow.DateDay(), false),
]);

const DAY0 = Date.UTC(2025, 3, 1) / 86_400_000; // 2025-04-01

/** `n` order_items rows with ids `start..start+n-1`, spread over `days` dates from 2025-04-01. */
export function orderItems(n: number, start = 0, options: { seed?: number; days?: number } = {}): arrow.Table {
  const rand = prng(options.seed ?? start + 1);
  const days = options.days ?? 3;
  const id = new Int32Array(n);
  const orderId = new Int32Array(n);
  const userId = new Int32Array(n);
  const dspo = new Int32Array(n);
  const dspoValid = new Uint8Array((n + 7) >> 3);
  const productId = new Int32Array(n);
  const cart = new Int32Array(n);
  const reordered = new Int32Array(n);
  const ts = new BigInt64Array(n);
  const date = new Int32Array(n);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const k = start + i;
    id[i] = k;
    orderId[i] = Math.floor(k / 5);
    userId[i] = 1 + Math.floor(rand() * 1000);
    if (rand() < 0.1) nulls++;
    else {
      dspo[i] = Math.floor(rand() * 30);
      dspoValid[i >> 3]! |= 1 << (i & 7);
    }
    productId[i] = 1 + Math.floor(rand() * 1000);
    cart[i] = 1 + Math.floor(rand() * 10);
    reordered[i] = rand() < 0.5 ? 1 : 0;
    const d = DAY0 + (k % days);
    date[i] = d;
    ts[i] = BigInt(d * 86_400 + Math.floor(rand() * 86_400)) * 1_000_000n;
  }
  const f = ORDER_ITEMS_SCHEMA.fields;
  const int = (values: Int32Array, i: number, extra = {}) => arrow.makeData({ type: f[i]!.type as arrow.Int32, length: n, data: values, ...extra });
  const children = [
    int(id, 0),
    int(orderId, 1),
    int(userId, 2),
    int(dspo, 3, { nullBitmap: dspoValid, nullCount: nulls }),
    int(productId, 4),
    int(cart, 5),
    int(reordered, 6),
    arrow.makeData({ type: f[7]!.type as arrow.TimestampMicrosecond, length: n, data: ts as unknown as Int32Array }),
    arrow.makeData({ type: f[8]!.type as arrow.DateDay, length: n, data: date }),
  ];
  const struct = arrow.makeData({ type: new arrow.Struct(f), length: n, children, nullCount: 0 });
  return new arrow.Table([new arrow.RecordBatch(ORDER_ITEMS_SCHEMA, struct)]);
}
