/**
 * The e-commerce datasets: products, orders, order_items (load order follows the foreign keys).
 *
 * Decisions beyond the list:
 * - `date` must equal the UTC calendar date of `order_timestamp` (orders and order_items); a mismatch
 *   is rule `range` (a consistency rule over two columns; message "date ... is not the UTC date of ...").
 * - Latest wins by `order_timestamp` for duplicate keys of orders and order_items; products have no
 *   ordering column, so the later row in the input wins.
 * - `department` is low-cardinality (written dictionary-encoded); orders and order_items are partitioned by `date`.
 */
import { z } from 'zod';
import { date, float64, int32, string, timestamp } from '../column.js';
import { defineDataset } from '../define-dataset.js';
import { sameUtcDate } from '../row-rules.js';

/** Products: a dimension, keyed by product_id. */
export const products = defineDataset({
  name: 'products',
  columns: {
    product_id: int32().required(),
    department_id: int32(),
    department: string().lowCardinality(),
    product_name: string().required(),
  },
  primaryKey: 'product_id',
});

/** Orders, keyed by order_id; the latest order_timestamp wins. */
export const orders = defineDataset({
  name: 'orders',
  columns: {
    order_num: int32(),
    order_id: int32().required(),
    user_id: int32(),
    order_timestamp: timestamp().required(),
    total_amount: float64().check(z.number().gt(0)),
    date: date().required(),
  },
  primaryKey: 'order_id',
  orderBy: 'order_timestamp',
  rules: [sameUtcDate('date', 'order_timestamp')],
  partitionBy: ['date'],
});

/** Order items, keyed by id; each refers to an order and a product. */
export const orderItems = defineDataset({
  name: 'order_items',
  columns: {
    id: int32().required(),
    order_id: int32().required(),
    user_id: int32(),
    days_since_prior_order: int32(),
    product_id: int32().required(),
    add_to_cart_order: int32().check(z.number().min(1)),
    reordered: int32().check(z.literal([0, 1])),
    order_timestamp: timestamp().required(),
    date: date().required(),
  },
  primaryKey: 'id',
  foreignKeys: [
    { column: 'order_id', references: orders },
    { column: 'product_id', references: products },
  ],
  orderBy: 'order_timestamp',
  rules: [sameUtcDate('date', 'order_timestamp')],
  partitionBy: ['date'],
});

/** All three, in load order. */
export const ecommerce = [products, orders, orderItems] as const;
