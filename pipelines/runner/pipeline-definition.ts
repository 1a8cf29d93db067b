/** A pipeline: a database of datasets, each validated by its contract and written to its own table. */
import type { DatasetContract } from '../../validation/define-dataset.js';
import type { DatasetEnrichment } from './dataset-enrichment.js';
import type { StagedRunRequest } from '../staged/staged-pipeline.js';
import type { RunSummary } from './run-summary.js';

/** What the runner needs to know about a pipeline. */
export interface PipelineDefinition {
  /** Pipeline name (`ecommerce`); also the prefix of its ledger and idempotency keys. */
  name: string;
  /** Database the tables are registered in (`ecommerce` -> `ecommerce.orders`). */
  database: string;
  /** The datasets; each reads `<raw>/<dataset>/` and writes `<database>.<dataset>`. */
  datasets: readonly DatasetContract[];
  /** Columns added to a dataset's accepted rows before writing (by dataset name); its table takes the enrichment's schema and partitioning. */
  enrich?: Readonly<Record<string, DatasetEnrichment>>;
  /** A pipeline with stages of its own (landing, gold, serving): `lakehouse run` calls this instead of the plain runner. */
  run?: (request: StagedRunRequest) => Promise<RunSummary>;
}

/** The quarantine table every pipeline writes its rejected rows to. */
export const REJECTED_TABLE = 'rejected_records';
