/** Stages shared by the staged pipelines: land source files into bronze, run the runner over bronze, write a gold table, serve it to PostgreSQL. */
import type * as arrow from 'apache-arrow';
import type { Row } from '../../catalog/query/query-engine.js';
import { UsageError } from '../../etl/errors.js';
import { openPostgres } from '../postgres/open-postgres.js';
import { upsertTable, type UpsertResult } from '../postgres/upsert-table.js';
import type { PipelineDefinition } from '../runner/pipeline-definition.js';
import { runPipeline } from '../runner/run-pipeline.js';
import type { RunSummary } from '../runner/run-summary.js';
import { openSink } from '../runner/table-sink.js';
import { bronzeStore, landFiles, sourceFiles, type LandingResult } from './land-files.js';
import { rowsToBatch } from './rows-to-arrow.js';
import { StageFailedError, type Stage, type StageContext } from './staged-pipeline.js';

async function* once<T>(item: T): AsyncIterable<T> {
  yield item;
}

/** `land`: copy the new files of `--source` (else the raw zone) into `<warehouse>/bronze/<pipeline>/<dataset>/ingest_date=.../`. */
export function landStage(pipeline: PipelineDefinition, dataset: string): Stage {
  return {
    name: 'land',
    async run(ctx): Promise<LandingResult> {
      const uri = ctx.request.source ?? ctx.request.settings.raw;
      if (!uri) throw new UsageError(`no input: pass --source URI (or --raw URI) for ${pipeline.name}`);
      return landFiles(await sourceFiles(uri), ctx.lakehouse.warehouse, pipeline.name, dataset, ctx.started);
    },
  };
}

/** `silver`: the runner over the bronze zone (validate, quarantine, dedupe, merge by key, exactly once per landed file). */
export function silverStage(pipeline: PipelineDefinition): Stage {
  return {
    name: 'silver',
    async run(ctx): Promise<RunSummary> {
      const summary = await runPipeline({
        pipeline,
        raw: bronzeStore(ctx.lakehouse.warehouse, pipeline.name),
        warehouse: ctx.lakehouse.warehouse,
        format: ctx.lakehouse.settings.format,
        catalog: ctx.lakehouse.catalog,
        engine: await ctx.lakehouse.engine(pipeline.database),
        runId: ctx.runId,
        ...(ctx.request.clock ? { clock: ctx.request.clock } : {}),
        ...(ctx.request.events ? { events: ctx.request.events } : {}),
      });
      if (summary.status === 'failed') throw new StageFailedError(summary.error?.code ?? 'internal', 'terminal', summary.error?.message ?? 'the runner failed');
      return summary;
    },
  };
}

/** How a gold table is computed: SQL over the committed tables, all of them every time (never incremental). */
export interface GoldSpec {
  /** Gold table name in the pipeline's database. */
  table: string;
  /** Its schema. */
  schema: arrow.Schema;
  /** Its key (the merge key, and the PostgreSQL primary key). */
  key: string[];
  /** The SQL computing every row from the committed tables. */
  sql: string;
  /** The dataset whose committed batch number versions the gold commit (idempotency key). */
  sourceDataset: string;
}

/** `gold`: run the SQL on the query engine and merge the rows into the gold table by key, with the source's batch as idempotency key. */
export function goldStage(pipeline: PipelineDefinition, spec: GoldSpec): Stage {
  return {
    name: 'gold',
    async run(ctx: StageContext) {
      const { warehouse, catalog, settings } = ctx.lakehouse;
      const target = (table: string, schema: arrow.Schema) => ({ format: settings.format, warehouse, catalog, database: pipeline.database, table, schema, partitionBy: [] });
      const sourceSchema = pipeline.enrich?.[spec.sourceDataset]?.schema ?? pipeline.datasets.find((d) => d.name === spec.sourceDataset)!.arrowSchema;
      const source = await openSink(target(spec.sourceDataset, sourceSchema));
      const batch = await source.committedBatch(`${pipeline.name}:${spec.sourceDataset}`);
      const engine = await ctx.lakehouse.engine(pipeline.database);
      const { rows } = await engine.query<Row>(spec.sql);
      const sink = await openSink(target(spec.table, spec.schema));
      const written = await sink.write(once(rowsToBatch(rows, spec.schema)), spec.key, { appId: `${pipeline.name}:${spec.table}`, version: batch }, ctx.runId);
      await catalog.registerTable({ database: pipeline.database, name: spec.table, format: sink.format, location: sink.location, schema: sink.schema, partitionKeys: [] });
      return { table: `${pipeline.database}.${spec.table}`, rows: rows.length, version: written.version, skipped: written.skipped };
    },
  };
}

/** `serve`: upsert the whole gold table into PostgreSQL (`table` unless `--table`), in one transaction. */
export function serveStage(pipeline: PipelineDefinition, spec: GoldSpec, table: string, indexes: string[][] = []): Stage {
  return {
    name: 'serve',
    async run(ctx): Promise<UpsertResult & { table: string; postgres: string }> {
      const { warehouse, catalog, settings } = ctx.lakehouse;
      const sink = await openSink({ format: settings.format, warehouse, catalog, database: pipeline.database, table: spec.table, schema: spec.schema, partitionBy: [] });
      const target = ctx.request.table ?? table;
      const client = await openPostgres(ctx.request.postgres ?? {}, warehouse);
      try {
        const result = await upsertTable(client, sink.scan(spec.schema.fields.map((f) => f.name)), { table: target, schema: spec.schema, key: spec.key, indexes });
        return { ...result, table: target, postgres: client.kind };
      } finally {
        await client.close();
      }
    },
  };
}
