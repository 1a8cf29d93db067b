/**
 * What the stack deploys per pipeline: its own function (IAM scoped to its raw folder and Glue
 * database), its own daily schedule rule, and an S3 Object Created rule for its dataset folders.
 * Adding a pipeline (issue 7's customer-transactions) is one more entry in the stack's `pipelines`,
 * made from its runner definition so the names the function is given are the ones the runner uses.
 */
import { ecommercePipeline } from '../ecommerce/ecommerce-pipeline.js';
import type { PipelineDefinition } from '../runner/pipeline-definition.js';

/** One pipeline run by the stack. */
export interface PipelineSpec {
  /** Pipeline name as the runner knows it (`ecommerce`); lower-case letters, digits and `-`. */
  name: string;
  /** Glue database of its tables (`ecommerce`); lower-case letters, digits and `_`. */
  database: string;
  /** Its raw zone: a folder of the raw bucket, without slashes at either end; the name when absent. */
  rawPrefix?: string;
  /** Dataset folders under the raw zone whose new files trigger a run; empty: schedule only. */
  datasets: readonly string[];
  /** EventBridge schedule expression (`cron(...)`, `rate(...)`); the stack's default when absent. */
  schedule?: string;
}

/** The spec of a runner pipeline definition: same name, database and dataset folders. */
export function pipelineSpecOf(definition: PipelineDefinition, options: Pick<PipelineSpec, 'rawPrefix' | 'schedule'> = {}): PipelineSpec {
  return { name: definition.name, database: definition.database, datasets: definition.datasets.map((d) => d.name), ...options };
}

/** The e-commerce pipeline of issue 5, from its runner definition. */
export const ECOMMERCE_PIPELINE: PipelineSpec = pipelineSpecOf(ecommercePipeline);

/** Daily at 02:00 UTC. */
export const DEFAULT_SCHEDULE = 'cron(0 2 * * ? *)';

/** The raw folder of `spec`. */
export function rawPrefixOf(spec: PipelineSpec): string {
  return spec.rawPrefix ?? spec.name;
}

/** Throw unless `specs` are well-formed and distinct (names, raw folders). */
export function validatePipelineSpecs(specs: readonly PipelineSpec[]): void {
  if (specs.length === 0) throw new Error('the stack needs at least one pipeline');
  const seen = new Set<string>();
  const folders = new Set<string>();
  for (const spec of specs) {
    if (!/^[a-z][a-z0-9-]*$/.test(spec.name)) throw new Error(`pipeline name ${JSON.stringify(spec.name)}: lower-case letters, digits and -`);
    if (!/^[a-z_][a-z0-9_]*$/.test(spec.database)) throw new Error(`pipeline ${spec.name}: database ${JSON.stringify(spec.database)}: lower-case letters, digits and _`);
    const folder = rawPrefixOf(spec);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(folder)) {
      throw new Error(`pipeline ${spec.name}: raw prefix ${JSON.stringify(folder)} must be a folder path without slashes at either end`);
    }
    for (const dataset of spec.datasets) {
      if (!/^[a-z][a-z0-9_]*$/.test(dataset) || dataset === 'archived') throw new Error(`pipeline ${spec.name}: dataset ${JSON.stringify(dataset)} is not a valid folder name`);
    }
    if (seen.has(spec.name)) throw new Error(`pipeline ${spec.name} is listed twice`);
    if ([...folders].some((other) => other === folder || other.startsWith(`${folder}/`) || folder.startsWith(`${other}/`))) {
      throw new Error(`pipeline ${spec.name}: raw prefix ${folder} overlaps another pipeline's`);
    }
    seen.add(spec.name);
    folders.add(folder);
  }
}
