/** daily_sales: per order date, the number of orders and items, revenue and average order value. */
import type { ReportDefinition } from './report.js';

export const dailySales: ReportDefinition = {
  name: 'daily_sales',
  title: 'Daily sales',
  columns: ['date', 'orders', 'items', 'revenue', 'average_order_value'],
  sql: (db) => `WITH items_per_order AS (
  SELECT order_id, COUNT(*) AS items
  FROM ${db}.order_items
  GROUP BY order_id
)
SELECT
  o."date" AS "date",
  COUNT(*) AS orders,
  CAST(COALESCE(SUM(i.items), 0) AS BIGINT) AS items,
  ROUND(SUM(o.total_amount), 2) AS revenue,
  ROUND(AVG(o.total_amount), 2) AS average_order_value
FROM ${db}.orders AS o
LEFT JOIN items_per_order AS i ON i.order_id = o.order_id
WHERE (CAST(? AS DATE) IS NULL OR o."date" >= CAST(? AS DATE))
  AND (CAST(? AS DATE) IS NULL OR o."date" <= CAST(? AS DATE))
GROUP BY o."date"
ORDER BY o."date"`,
  params: (o) => [o.from ?? null, o.from ?? null, o.to ?? null, o.to ?? null],
};
