/**
 * The three merchant-facing patterns in PostgreSQL, evaluated after each chunk on the cumulative state of
 * only what the chunk touched (the merchants and customer-merchant pairs it changed): nothing else
 * changed, so nothing else can newly match.
 */

/** Pattern ids and the action each one asks for. */
export const PATTERNS = {
  PatId1: 'UPGRADE',
  PatId2: 'CHILD',
  PatId3: 'DEI-NEEDED',
} as const;

/** A pattern id. */
export type PatternId = keyof typeof PATTERNS;

/** Thresholds of the patterns (from the issue; exported so tests and the reference SQL share them). */
export const THRESHOLDS = {
  /** PatId1: a merchant's total transactions must exceed this. */
  upgradeMerchantTxns: 50_000,
  /** PatId1: a customer's transaction count percent_rank must be at least this. */
  upgradeCountRank: 0.9,
  /** PatId1: a customer's weight percent_rank must be at most this. */
  upgradeWeightRank: 0.1,
  /** PatId2: at least this many transactions with the merchant. */
  childMinTxns: 80,
  /** PatId2: average amount with the merchant strictly below this. */
  childMaxAvgAmount: 23,
  /** PatId3: more than this many distinct female customers. */
  deiMinFemale: 100,
} as const;

const T = THRESHOLDS;

/**
 * Fold the chunk staged in `tp_staging` into the cumulative aggregates in one statement (every CTE sees
 * the state before the chunk, so `old` tells which customers are new female/male customers of a
 * merchant). Pairs that now satisfy PatId2 go to `tp_child_candidates`. Returns one row per touched
 * merchant with its new totals.
 */
export const FOLD_SQL = `
WITH s AS (
  SELECT merchant, customer, count(*) AS n, sum(amount) AS amt,
         bool_or(gender = 'F') AS f, bool_or(gender = 'M') AS m
  FROM tp_staging GROUP BY merchant, customer
),
old AS (
  SELECT cm.merchant, cm.customer, cm.has_female, cm.has_male
  FROM tp_customer_merchant cm JOIN s USING (merchant, customer)
),
up AS (
  INSERT INTO tp_customer_merchant AS t (merchant, customer, txn_count, amount_sum, has_female, has_male)
  SELECT merchant, customer, n, amt, f, m FROM s
  ON CONFLICT (merchant, customer) DO UPDATE SET
    txn_count = t.txn_count + excluded.txn_count,
    amount_sum = t.amount_sum + excluded.amount_sum,
    has_female = t.has_female OR excluded.has_female,
    has_male = t.has_male OR excluded.has_male
  RETURNING merchant, customer, txn_count, amount_sum
),
child AS (
  INSERT INTO tp_child_candidates (merchant, customer)
  SELECT merchant, customer FROM up
  WHERE txn_count >= ${T.childMinTxns} AND amount_sum < ${T.childMaxAvgAmount} * txn_count
),
per AS (
  SELECT s.merchant, sum(s.n) AS n,
         count(*) FILTER (WHERE s.f AND NOT coalesce(o.has_female, false)) AS nf,
         count(*) FILTER (WHERE s.m AND NOT coalesce(o.has_male, false)) AS nm
  FROM s LEFT JOIN old o USING (merchant, customer)
  GROUP BY s.merchant
)
INSERT INTO tp_merchant AS t (merchant, txn_count, female, male)
SELECT merchant, n, nf, nm FROM per
ON CONFLICT (merchant) DO UPDATE SET
  txn_count = t.txn_count + excluded.txn_count,
  female = t.female + excluded.female,
  male = t.male + excluded.male
RETURNING merchant, txn_count::float8 AS txn_count, female, male`;

/** Whether a merchant's totals make PatId1 possible (its customers are then ranked). */
export function upgradePossible(m: { txn_count: number }): boolean {
  return m.txn_count > T.upgradeMerchantTxns;
}

/** Whether a merchant's totals match PatId3. */
export function deiNeeded(m: { female: number; male: number }): boolean {
  return m.female > T.deiMinFemale && m.female < m.male;
}

/**
 * Rows `(pattern_id, merchant, customer)` newly matching: PatId1 over the merchants in `$1` (text[]),
 * PatId2 from `tp_child_candidates`, PatId3 for the merchants in `$2` (text[]); customer '' for PatId3.
 * Distinct, without the ones already emitted.
 */
export const MATCHES_SQL = `
WITH big AS (SELECT unnest($1::text[]) AS merchant),
count_rank AS (
  SELECT cm.merchant, cm.customer,
         percent_rank() OVER (PARTITION BY cm.merchant ORDER BY cm.txn_count) AS pr
  FROM tp_customer_merchant cm JOIN big USING (merchant)
),
weight_rank AS (
  SELECT cm.merchant, cm.customer,
         percent_rank() OVER (PARTITION BY cm.merchant ORDER BY w.weight) AS pr
  FROM tp_customer_merchant cm JOIN big USING (merchant)
  JOIN tp_weight w ON w.merchant = cm.merchant AND w.customer = cm.customer
),
found AS (
  SELECT 'PatId1' AS pattern_id, c.merchant, c.customer
  FROM count_rank c JOIN weight_rank w ON w.merchant = c.merchant AND w.customer = c.customer
  WHERE c.pr >= ${T.upgradeCountRank} AND w.pr <= ${T.upgradeWeightRank}
  UNION
  SELECT 'PatId2', merchant, customer FROM tp_child_candidates
  UNION
  SELECT 'PatId3', unnest($2::text[]), ''
)
SELECT f.pattern_id, f.merchant, f.customer FROM found f
WHERE NOT EXISTS (
  SELECT 1 FROM tp_detections d
  WHERE d.pattern_id = f.pattern_id AND d.merchant = f.merchant AND d.customer = f.customer
)`;

/** Insert the new matches as detections with consecutive sequence numbers. `$3` detected at (ms), `$4` Y start (ms), `$5` chunk. */
export const EMIT_SQL = `
WITH fresh AS (${MATCHES_SQL}),
base AS (SELECT coalesce(max(seq), 0) AS s FROM tp_detections)
INSERT INTO tp_detections (seq, pattern_id, action_type, customer, merchant, detected_at_ms, y_start_ms, chunk)
SELECT base.s + row_number() OVER (ORDER BY f.pattern_id, f.merchant, f.customer),
       f.pattern_id,
       CASE f.pattern_id WHEN 'PatId1' THEN '${PATTERNS.PatId1}' WHEN 'PatId2' THEN '${PATTERNS.PatId2}' ELSE '${PATTERNS.PatId3}' END,
       f.customer, f.merchant, $3::float8, $4::float8, $5::int
FROM fresh f CROSS JOIN base
RETURNING seq`;
