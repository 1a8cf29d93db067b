/**
 * `customer-transactions`: pipe-delimited transaction files (`--source` file, folder or S3 URI) landed
 * into bronze, validated into `customer_transactions.transactions` (quarantine in
 * `customer_transactions.rejected_records`), the gold `customer_transactions.customers` recomputed from
 * all committed rows, and upserted into PostgreSQL (`customers` unless `--table`).
 */
import { transactions } from '../../validation/contracts/customer-transactions.js';
import type { PipelineDefinition } from '../runner/pipeline-definition.js';
import { goldStage, landStage, serveStage, silverStage } from '../staged/common-stages.js';
import { runStaged, type Stage, type StagedRunRequest, type StagedRunSummary } from '../staged/staged-pipeline.js';
import { customersGold } from './customers-gold.js';

/** The default PostgreSQL table. */
export const CUSTOMERS_PG_TABLE = 'customers';

const base: PipelineDefinition = { name: 'customer-transactions', database: 'customer_transactions', datasets: [transactions] };

/** The stages, in order. */
export const customerTransactionsStages: readonly Stage[] = [
  landStage(base, 'transactions'),
  silverStage(base),
  goldStage(base, customersGold),
  serveStage(base, customersGold, CUSTOMERS_PG_TABLE),
];

/** Run the pipeline once (resuming a failed run at its failed stage). */
export function runCustomerTransactions(request: StagedRunRequest): Promise<StagedRunSummary> {
  return runStaged(base.name, customerTransactionsStages, 'silver', request);
}

/** The `customer-transactions` pipeline. */
export const customerTransactionsPipeline: PipelineDefinition = { ...base, run: runCustomerTransactions };
