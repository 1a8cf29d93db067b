/**
 * The Lambda bundle's entry (`dist/lambda/index.mjs`, handler `index.handler`): the EventBridge
 * handler wired to the real pipeline runner over S3, Glue and Athena, and to the staged pipelines' stages. Built by
 * `node --import tsx pipelines/aws/bundle.ts`. Imports name the Glue and Athena modules directly,
 * never `catalog/index.js`, which also exports the DuckDB engine the bundle leaves out.
 */
import { AthenaEngine } from '../../catalog/athena/athena-engine.js';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import { openStore } from '../../etl/storage/open-store.js';
import { pipelineNamed, stagedPipelineNamed } from '../registry.js';
import { runPipeline } from '../runner/run-pipeline.js';
import { createHandler } from './handler.js';
import { runnerFor } from './runner-adapter.js';
import { stageRunnerFor } from './stage-runner-adapter.js';

/** The function's handler: EventBridge events run the pipeline (all stages of a staged one); state machine tasks run one stage. */
export const handler = createHandler({
  runPipeline: runnerFor({
    run: runPipeline,
    definitionOf: pipelineNamed,
    openStore: (uri) => openStore(uri),
    openCatalog: () => new GlueCatalog(),
    openEngine: (options) => new AthenaEngine(options),
    stagedOf: stagedPipelineNamed,
  }),
  runStage: stageRunnerFor({ stagedOf: stagedPipelineNamed }),
});
