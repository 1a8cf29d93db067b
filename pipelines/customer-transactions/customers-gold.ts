/**
 * Gold `customer_transactions.customers`: per customer, the favourite product (greatest total units;
 * ties to the lexicographically smallest product code) and the longest streak of consecutive calendar
 * days with a purchase (gaps-and-islands: day number minus row number is constant along a run). Always
 * computed from every committed transaction. The SQL is plain ANSI with window functions and
 * `date_diff('day', a, b)`, which DuckDB and Athena (Trino) both accept.
 */
import * as arrow from 'apache-arrow';
import type { GoldSpec } from '../staged/common-stages.js';

/** Schema of the gold table (and of the PostgreSQL table). */
export const CUSTOMERS_SCHEMA = new arrow.Schema([
  new arrow.Field('customer_id', new arrow.Utf8(), false),
  new arrow.Field('favourite_product', new arrow.Utf8(), false),
  new arrow.Field('longest_streak', new arrow.Int32(), false),
]);

/** The SQL computing every customer's row from `customer_transactions.transactions`. */
export const CUSTOMERS_SQL = `
WITH product_units AS (
  SELECT custId AS customer_id, productSold AS product, SUM(unitsSold) AS units
  FROM customer_transactions.transactions
  GROUP BY custId, productSold
),
ranked AS (
  SELECT customer_id, product, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY units DESC, product ASC) AS rank_in_customer
  FROM product_units
),
purchase_days AS (
  SELECT DISTINCT custId AS customer_id, transactionDate AS purchase_day
  FROM customer_transactions.transactions
),
islands AS (
  SELECT customer_id,
         date_diff('day', DATE '1970-01-01', purchase_day) - ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY purchase_day) AS island
  FROM purchase_days
),
streaks AS (
  SELECT customer_id, MAX(days) AS longest_streak
  FROM (SELECT customer_id, island, COUNT(*) AS days FROM islands GROUP BY customer_id, island) AS runs
  GROUP BY customer_id
)
SELECT r.customer_id, r.product AS favourite_product, CAST(s.longest_streak AS INTEGER) AS longest_streak
FROM ranked r
JOIN streaks s ON s.customer_id = r.customer_id
WHERE r.rank_in_customer = 1
ORDER BY r.customer_id`;

/** The gold table's spec. */
export const customersGold: GoldSpec = {
  table: 'customers',
  schema: CUSTOMERS_SCHEMA,
  key: ['customer_id'],
  sql: CUSTOMERS_SQL,
  sourceDataset: 'transactions',
};
