/**
 * The PostgreSQL tables of Mechanism Y's cumulative state (created idempotently). Customers and merchants
 * are dictionary-encoded once (`tp_customers`, `tp_merchants`) so the per-pair state is keyed by two
 * integers; `tp_customer_merchant` leaves room on its pages (fillfactor 50) so the per-chunk updates stay
 * HOT (no index entry per update, pages pruned on access). `tp_importance` holds the importance rows as
 * loaded (once); weights are averaged per merchant when it is first ranked.
 */
import { StateStoreError } from './errors.js';
import type { StateSql } from './state-store.js';

/** DDL of the state tables; every statement is `IF NOT EXISTS`, so running it again changes nothing. */
export const STATE_DDL = `
CREATE TABLE IF NOT EXISTS tp_progress (
  id int PRIMARY KEY CHECK (id = 1),
  last_chunk int NOT NULL DEFAULT -1,
  rows_processed bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  importance_loaded boolean NOT NULL DEFAULT false,
  flushed_seq bigint NOT NULL DEFAULT 0
);
INSERT INTO tp_progress (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS tp_customers (
  id int PRIMARY KEY,
  name text NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS tp_merchants (
  id int PRIMARY KEY,
  name text NOT NULL UNIQUE,
  txn_count bigint NOT NULL,
  female int NOT NULL DEFAULT 0,
  male int NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tp_customer_merchant (
  merchant int NOT NULL,
  customer int NOT NULL,
  txn_count bigint NOT NULL,
  amount_sum numeric NOT NULL,
  has_female boolean NOT NULL,
  has_male boolean NOT NULL,
  PRIMARY KEY (merchant, customer)
) WITH (fillfactor = 50);
CREATE UNLOGGED TABLE IF NOT EXISTS tp_pair_staging (
  merchant int NOT NULL,
  customer int NOT NULL,
  txn_count int NOT NULL,
  amount_sum numeric NOT NULL,
  has_female boolean NOT NULL,
  has_male boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS tp_importance (
  customer text NOT NULL,
  merchant text NOT NULL,
  weight numeric NOT NULL
);
CREATE TABLE IF NOT EXISTS tp_detections (
  seq bigint PRIMARY KEY,
  pattern_id text NOT NULL,
  action_type text NOT NULL,
  customer text NOT NULL,
  merchant text NOT NULL,
  detected_at_ms float8 NOT NULL,
  y_start_ms float8 NOT NULL,
  chunk int NOT NULL,
  UNIQUE (pattern_id, merchant, customer)
);
`;

/** Create the state tables when absent; refuse a database holding the earlier text-keyed layout. */
export async function ensureStateSchema(sql: StateSql): Promise<void> {
  const [old] = await sql.query<{ old: boolean }>(`SELECT to_regclass('tp_staging') IS NOT NULL AS old`);
  if (old?.old) {
    throw new StateStoreError('the state database holds an earlier layout of the transaction-pattern state (text keys): use a fresh database', false);
  }
  await sql.exec(STATE_DDL);
}
