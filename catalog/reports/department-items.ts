/** department_items: per department, the items (order lines) sold and the distinct orders they were in. */
import type { ReportDefinition } from './report.js';

export const departmentItems: ReportDefinition = {
  name: 'department_items',
  title: 'Items by department',
  columns: ['department', 'items', 'distinct_orders'],
  sql: (db) => `SELECT
  COALESCE(p.department, 'unknown') AS department,
  COUNT(*) AS items,
  COUNT(DISTINCT oi.order_id) AS distinct_orders
FROM ${db}.order_items AS oi
LEFT JOIN ${db}.products AS p ON p.product_id = oi.product_id
GROUP BY COALESCE(p.department, 'unknown')
ORDER BY items DESC, department`,
  params: () => [],
};
