/** Errors of running one stage by name (pipelines/staged/run-stage.ts); both terminal: asking again cannot help. */
import { LakehouseError } from '../../etl/errors.js';

/** The stage named is not one of the pipeline's. */
export class UnknownStageError extends LakehouseError {
  /** The stage asked for. */
  readonly stage: string;

  constructor(pipeline: string, stage: string, known: readonly string[]) {
    super('unknown_stage', 'terminal', `pipeline ${pipeline} has no stage ${JSON.stringify(stage)}; its stages are ${known.join(', ')}`);
    this.stage = stage;
  }
}

/** A stage was asked to run before the stages it follows succeeded in the same run. */
export class StageOrderError extends LakehouseError {
  /** The stage asked for. */
  readonly stage: string;
  /** The earlier stages that have not succeeded in the run. */
  readonly missing: readonly string[];

  constructor(pipeline: string, runId: string, stage: string, missing: readonly string[]) {
    super('stage_order', 'terminal', `stage ${stage} of ${pipeline} run ${runId} cannot run before ${missing.join(', ')} succeeded in that run`);
    this.stage = stage;
    this.missing = missing;
  }
}
