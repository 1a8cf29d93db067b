/**
 * Gold `customer_purchases.customer_purchase_summary`: per customer, the name and email of their latest
 * purchase (by purchase_date, then purchase_id), total spent in AUD and first and last purchase dates.
 * Always computed from every committed purchase (never by adding a run's totals onto the last ones), so
 * re-runs and replays cannot double count. Silver's derived columns (`full_name`, `amount_aud` by the
 * rate table) are the `priced` step of the SQL, which DuckDB and Athena (Trino) both accept.
 */
import * as arrow from 'apache-arrow';
import { checkRates, DEFAULT_RATES, type RateTable } from '../../validation/contracts/customer-purchases.js';
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

/** The silver purchases with `full_name` and `amount_aud` (amount times the currency's rate), as SQL. */
export function pricedPurchasesSql(rates: RateTable = DEFAULT_RATES): string {
  const cases = Object.entries(checkRates(rates))
    .map(([code, rate]) => `WHEN '${code}' THEN CAST(${String(rate)} AS DECIMAL(18,6))`)
    .join(' ');
  return `SELECT customer_id, first_name || ' ' || last_name AS full_name, email, purchase_id, purchase_date, amount, currency,
         amount * CASE currency ${cases} END AS amount_aud
  FROM customer_purchases.purchases`;
}

/** The SQL computing every customer's summary row from all of `customer_purchases.purchases`. */
export function purchaseSummarySql(rates: RateTable = DEFAULT_RATES): string {
  return `
WITH priced AS (
  ${pricedPurchasesSql(rates)}
),
latest AS (
  SELECT customer_id, full_name, email,
         ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY purchase_date DESC, purchase_id DESC) AS recency
  FROM priced
),
totals AS (
  SELECT customer_id, SUM(amount_aud) AS total, MIN(purchase_date) AS first_purchase_date, MAX(purchase_date) AS last_purchase_date
  FROM priced
  GROUP BY customer_id
)
SELECT t.customer_id, l.full_name, l.email, CAST(ROUND(t.total, 2) AS DECIMAL(18,2)) AS total_spent_aud,
       t.first_purchase_date, t.last_purchase_date
FROM totals t
JOIN latest l ON l.customer_id = t.customer_id AND l.recency = 1
ORDER BY t.customer_id`;
}

/** The gold table's spec for a rate table. */
export function purchaseSummaryGold(rates: RateTable = DEFAULT_RATES): GoldSpec {
  return {
    table: 'customer_purchase_summary',
    schema: PURCHASE_SUMMARY_SCHEMA,
    key: ['customer_id'],
    sql: purchaseSummarySql(rates),
    sourceDataset: 'purchases',
  };
}
