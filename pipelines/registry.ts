/** The pipelines `lakehouse run <pipeline>` knows. */
import { UsageError } from '../etl/errors.js';
import { customerPurchasesPipeline } from './customer-purchases/customer-purchases-pipeline.js';
import { customerTransactionsPipeline } from './customer-transactions/customer-transactions-pipeline.js';
import { ecommercePipeline } from './ecommerce/ecommerce-pipeline.js';
import type { PipelineDefinition } from './runner/pipeline-definition.js';

/** Pipelines by name. */
export const PIPELINES: Readonly<Record<string, PipelineDefinition>> = {
  ecommerce: ecommercePipeline,
  'customer-transactions': customerTransactionsPipeline,
  'customer-purchases': customerPurchasesPipeline,
};

/** The pipeline called `name`; a UsageError listing the known ones otherwise. */
export function pipelineNamed(name: string): PipelineDefinition {
  const found = PIPELINES[name];
  if (!found) throw new UsageError(`unknown pipeline ${name}; known: ${Object.keys(PIPELINES).join(', ')}`);
  return found;
}
