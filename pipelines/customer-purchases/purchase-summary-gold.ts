/**
 * Gold `customer_purchases.customer_purchase_summary`: per customer, the name and email of their latest
 * purchase (by purchase_date, then purchase_id), total spent in AUD and first and last purchase dates.
 * Always computed from every committed purchase (never by adding a run's totals onto the last ones), so
 * re-runs and replays cannot double count. `full_name` and `amount_aud` come from silver (priced at
 * ingestion by the run's rate table, see purchases-silver.ts); the SQL runs on DuckDB and Athena (Trino).
 */
import * as arrow from 'apache-arrow';
import type { GoldSpec } from '../staged/common-stages.js';

/** Schema of the gold table (and of the PostgreSQL table). */
export const PURCHASE_SUMMARY_SCHEMA = new arrow.Schema([
  new arrow.Field('customer_id', new arrow.Int32(), false),
  new arrow.Field('full_name', new arrow.Utf8(), false),
  new arrow.Field('email', new arrow.Utf8(), false),
  new arrow.Field('total_spent_aud', new arrow.Decimal(2, 18, 128), false),
  new arrow.Field('first_purchase_date', new arrow.DateDay(), false),
  new arrow.Field('last_purchase_date', new arrow.DateDay(), false),
]);

/** The SQL computing every customer's summary row from all of silver `customer_purchases.purchases`. */
export const PURCHASE_SUMMARY_SQL = `
WITH latest AS (
  SELECT customer_id, full_name, email,
         ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY purchase_date DESC, purchase_id DESC) AS recency
  FROM customer_purchases.purchases
),
totals AS (
  SELECT customer_id, SUM(amount_aud) AS total, MIN(purchase_date) AS first_purchase_date, MAX(purchase_date) AS last_purchase_date
  FROM customer_purchases.purchases
  GROUP BY customer_id
)
SELECT t.customer_id, l.full_name, l.email, CAST(ROUND(t.total, 2) AS DECIMAL(18,2)) AS total_spent_aud,
       t.first_purchase_date, t.last_purchase_date
FROM totals t
JOIN latest l ON l.customer_id = t.customer_id AND l.recency = 1
ORDER BY t.customer_id`;

/** The gold table's spec. */
export const PURCHASE_SUMMARY_GOLD: GoldSpec = {
  table: 'customer_purchase_summary',
  schema: PURCHASE_SUMMARY_SCHEMA,
  key: ['customer_id'],
  sql: PURCHASE_SUMMARY_SQL,
  sourceDataset: 'purchases',
};
