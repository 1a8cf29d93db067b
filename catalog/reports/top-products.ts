/** top_products: the best-selling products by units (order lines), with department and reorder rate. */
import type { ReportDefinition } from './report.js';

export const topProducts: ReportDefinition = {
  name: 'top_products',
  title: 'Top products',
  columns: ['rank', 'product_id', 'product', 'department', 'units', 'reorder_rate'],
  sql: (db) => `WITH product_units AS (
  SELECT product_id, COUNT(*) AS units, SUM(reordered) AS reorders
  FROM ${db}.order_items
  GROUP BY product_id
),
ranked AS (
  SELECT
    ROW_NUMBER() OVER (ORDER BY u.units DESC, u.product_id) AS product_rank,
    u.product_id,
    p.product_name,
    p.department,
    u.units,
    u.reorders
  FROM product_units AS u
  LEFT JOIN ${db}.products AS p ON p.product_id = u.product_id
)
SELECT
  product_rank AS "rank",
  product_id,
  product_name AS product,
  department,
  units,
  ROUND(CAST(reorders AS DOUBLE) / units, 4) AS reorder_rate
FROM ranked
WHERE product_rank <= CAST(? AS INTEGER)
ORDER BY product_rank`,
  params: (o) => [o.limit ?? 10],
};
