/** The pipelines `lakehouse run <pipeline>` knows. */
import { UsageError } from '../etl/errors.js';
import { customerPurchasesPipeline, customerPurchasesPipelineWith } from './customer-purchases/customer-purchases-pipeline.js';
import { customerTransactionsPipeline, customerTransactionsStages } from './customer-transactions/customer-transactions-pipeline.js';
import { ecommercePipeline } from './ecommerce/ecommerce-pipeline.js';
import type { PipelineDefinition } from './runner/pipeline-definition.js';
import type { StagedDefinition, StagedOptions } from './staged/staged-definition.js';

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

/** The pipelines made of stages (landing, silver, gold, serving), by name, with their stages in order. */
export const STAGED_PIPELINES: Readonly<Record<string, StagedDefinition>> = {
  'customer-transactions': { name: 'customer-transactions', stages: customerTransactionsStages, summaryStage: 'silver' },
  'customer-purchases': {
    name: 'customer-purchases',
    stages: customerPurchasesPipeline.stages,
    summaryStage: 'silver',
    stagesWith: (options) => customerPurchasesPipelineWith(options).stages,
  },
};

/** The stages of pipeline `name` built with `options` (a rate table), or undefined when it is a plain runner pipeline (or unknown). */
export function stagedPipelineNamed(name: string, options: StagedOptions = {}): StagedDefinition | undefined {
  const staged = Object.hasOwn(STAGED_PIPELINES, name) ? STAGED_PIPELINES[name] : undefined;
  return staged?.stagesWith && options.rates ? { ...staged, stages: staged.stagesWith(options) } : staged;
}
