/**
 * `customer-purchases`: purchase CSV files (`--raw` or `--source`: a file, folder or S3 URI) landed into
 * bronze by ingestion date, validated into silver `customer_purchases.purchases` (deduplicated on
 * purchase_id, latest file wins; `full_name`, `amount_aud` by the rate table, partitioned by ingestion
 * date; quarantine in `customer_purchases.rejected_records`), the gold
 * `customer_purchases.customer_purchase_summary` recomputed from all committed purchases, upserted into
 * PostgreSQL (`customer_purchase_summary` unless `--table`), and the `top_customers` report read back.
 */
import { DEFAULT_RATES, purchasesDataset, type RateTable } from '../../validation/contracts/customer-purchases.js';
import { openPostgres } from '../postgres/open-postgres.js';
import { quoteIdent } from '../postgres/upsert-table.js';
import type { PostgresClient } from '../postgres/postgres-client.js';
import type { PipelineDefinition } from '../runner/pipeline-definition.js';
import { goldStage, landStage, serveStage, silverStage } from '../staged/common-stages.js';
import { runStaged, type Stage, type StagedRunRequest, type StagedRunSummary } from '../staged/staged-pipeline.js';
import { PURCHASE_SUMMARY_GOLD } from './purchase-summary-gold.js';
import { purchasesSilver } from './purchases-silver.js';

/** The default PostgreSQL table. */
export const PURCHASE_SUMMARY_PG_TABLE = 'customer_purchase_summary';

/** How many customers `top_customers` lists. */
export const TOP_CUSTOMERS = 5;

/** One line of the `top_customers` report. */
export interface TopCustomer {
  /** Customer id. */
  customer_id: number;
  /** Name of their latest purchase. */
  full_name: string;
  /** Total spent in AUD, as exact decimal text (`1234.50`). */
  total_spent_aud: string;
}

/** The `top_customers` report: the `limit` customers with the greatest total_spent_aud (ties by customer_id) from the PostgreSQL table. */
export async function topCustomers(client: PostgresClient, table = PURCHASE_SUMMARY_PG_TABLE, limit = TOP_CUSTOMERS): Promise<TopCustomer[]> {
  const { rows } = await client.query<{ customer_id: number | string; full_name: string; total_spent_aud: string }>(
    `SELECT t.customer_id, t.full_name, t.total_spent_aud::text AS total_spent_aud FROM ${quoteIdent(table)} AS t ORDER BY t.total_spent_aud DESC, t.customer_id LIMIT ${Math.max(0, Math.floor(limit))}`,
  );
  return rows.map((r) => ({ customer_id: Number(r.customer_id), full_name: r.full_name, total_spent_aud: r.total_spent_aud }));
}

/** Options of the pipeline. */
export interface CustomerPurchasesOptions {
  /** AUD per unit of each currency (default USD 1.5, AUD 1.0); other currencies are quarantined. */
  rates?: RateTable;
}

/** The pipeline (definition with its staged `run`) for a rate table. */
export function customerPurchasesPipelineWith(options: CustomerPurchasesOptions = {}): PipelineDefinition & { stages: readonly Stage[] } {
  const rates = options.rates ?? DEFAULT_RATES;
  const purchases = purchasesDataset(rates);
  const base: PipelineDefinition = { name: 'customer-purchases', database: 'customer_purchases', datasets: [purchases], enrich: { purchases: purchasesSilver(purchases, rates) } };
  const gold = PURCHASE_SUMMARY_GOLD;
  const serve = serveStage(base, gold, PURCHASE_SUMMARY_PG_TABLE, [['total_spent_aud DESC']]);
  const stages: readonly Stage[] = [
    landStage(base, 'purchases'),
    silverStage(base),
    goldStage(base, gold),
    {
      name: 'serve',
      async run(ctx) {
        const loaded = (await serve.run(ctx)) as { table: string };
        const client = await openPostgres(ctx.request.postgres ?? {}, ctx.lakehouse.warehouse);
        try {
          return { ...loaded, top_customers: await topCustomers(client, loaded.table) };
        } finally {
          await client.close();
        }
      },
    },
  ];
  // A rate table in the request (`--rates`, the config's `rates`) wins over this pipeline's.
  const run = (request: StagedRunRequest): Promise<StagedRunSummary> =>
    request.rates ? runStaged(base.name, customerPurchasesPipelineWith({ rates: request.rates }).stages, 'silver', request) : runStaged(base.name, stages, 'silver', request);
  return { ...base, stages, run };
}

/** The `customer-purchases` pipeline with the default rates. */
export const customerPurchasesPipeline = customerPurchasesPipelineWith();

/** Run the pipeline once with the default rates (resuming a failed run at its failed stage). */
export function runCustomerPurchases(request: StagedRunRequest): Promise<StagedRunSummary> {
  return runStaged(customerPurchasesPipeline.name, customerPurchasesPipeline.stages, 'silver', request);
}
