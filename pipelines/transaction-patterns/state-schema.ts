/** The PostgreSQL tables of Mechanism Y's cumulative state (created idempotently). */
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
CREATE TABLE IF NOT EXISTS tp_merchant (
  merchant text PRIMARY KEY,
  txn_count bigint NOT NULL,
  female int NOT NULL DEFAULT 0,
  male int NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tp_customer_merchant (
  merchant text NOT NULL,
  customer text NOT NULL,
  txn_count bigint NOT NULL,
  amount_sum numeric NOT NULL,
  has_female boolean NOT NULL,
  has_male boolean NOT NULL,
  PRIMARY KEY (merchant, customer)
);
CREATE UNLOGGED TABLE IF NOT EXISTS tp_child_candidates (
  merchant text NOT NULL,
  customer text NOT NULL
);
CREATE TABLE IF NOT EXISTS tp_weight (
  merchant text NOT NULL,
  customer text NOT NULL,
  weight numeric NOT NULL,
  PRIMARY KEY (merchant, customer)
);
CREATE UNLOGGED TABLE IF NOT EXISTS tp_staging (
  customer text NOT NULL,
  gender text NOT NULL,
  merchant text NOT NULL,
  amount numeric NOT NULL
);
CREATE UNLOGGED TABLE IF NOT EXISTS tp_importance_staging (
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

/** Create the state tables when absent. */
export async function ensureStateSchema(sql: StateSql): Promise<void> {
  await sql.exec(STATE_DDL);
}
