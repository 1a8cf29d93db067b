/**
 * A staged pipeline as an orchestrator sees it: its name and its stages in order. The CLI runs all of
 * them with `runStaged`; on AWS the Lambda runs them all in one invocation, or one per invocation
 * (`runStage`) when a Step Functions state machine drives them.
 */
import type { Stage } from './staged-pipeline.js';

/** What a staged pipeline's stages are built with. */
export interface StagedOptions {
  /** customer-purchases: AUD per unit of each currency (the pipeline's default table when absent). */
  rates?: Readonly<Record<string, number>>;
}

/** A pipeline made of stages. */
export interface StagedDefinition {
  /** Pipeline name (`customer-purchases`); also names its stage state. */
  name: string;
  /** The stages, in run order (`land`, `silver`, `gold`, `serve`). */
  stages: readonly Stage[];
  /** The stage whose result is the runner's RunSummary (`silver`): the run's `datasets` come from it. */
  summaryStage: string;
  /** The stages built with `options` (a rate table), for pipelines whose stages depend on them. */
  stagesWith?: (options: StagedOptions) => readonly Stage[];
}
