/** `lakehouse run <pipeline>`: one run over the new raw files. */
import { UsageError } from '../../../etl/errors.js';
import { openStore } from '../../../etl/storage/open-store.js';
import { pipelineNamed } from '../../registry.js';
import { openContext, type LakehouseSettings } from '../../runner/lakehouse-context.js';
import { runPipeline } from '../../runner/run-pipeline.js';
import type { PipelineDefinition } from '../../runner/pipeline-definition.js';
import type { RunSummary } from '../../runner/run-summary.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js';
import { resolveSettings, type WarehouseFlags } from '../settings.js';
import { formatSummary } from '../summary-output.js';
import { loadConfig } from '../../config/config.js';
import { parseRates } from '../rates-option.js';

/** Flags of `run`. */
export interface RunFlags extends WarehouseFlags {
  /** Print the summary as one JSON object. */
  json?: boolean;
  /** --source: input file, folder or S3 URI (staged pipelines). */
  source?: string;
  /** --postgres: PostgreSQL URL for serving tables (else DATABASE_URL, else embedded PGlite). */
  postgres?: string;
  /** --database: PostgreSQL database name. */
  database?: string;
  /** --table: PostgreSQL serving table name. */
  table?: string;
  /** --rates: customer-purchases rate table, `USD=1.5,AUD=1`. */
  rates?: string;
}

/** Run `pipeline` with these settings, showing progress on stderr. */
export async function runOnce(pipelineName: string, settings: LakehouseSettings, io: CliIo): Promise<RunSummary> {
  const pipeline = pipelineNamed(pipelineName);
  if (!settings.raw) throw new UsageError('no raw zone: pass --raw URI or set "raw" in lakehouse.config.json');
  const context = openContext(settings);
  try {
    return await runPipeline({
      pipeline,
      raw: openStore(settings.raw),
      warehouse: context.warehouse,
      format: context.settings.format,
      catalog: context.catalog,
      engine: await context.engine(pipeline.database),
      events: {
        step: (step, dataset, detail) => {
          io.progress(`[${pipeline.name}] ${step}${dataset ? ` ${dataset}` : ''}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
          io.log.info({ step, dataset, ...detail }, step);
        },
        warn: (message, detail) => {
          io.done();
          io.err(`warning: ${message}`);
          io.log.warn(detail ?? {}, message);
        },
      },
    });
  } finally {
    io.done();
    await context.close();
  }
}

/** Run a pipeline with stages of its own (customer pipelines) with the run flags. */
async function runStagedOnce(run: NonNullable<PipelineDefinition['run']>, flags: RunFlags, io: CliIo): Promise<RunSummary> {
  const config = await loadConfig(flags.config);
  const rates = flags.rates !== undefined ? parseRates(flags.rates) : config.rates;
  const url = flags.postgres ?? config.postgres;
  try {
    return await run({
      settings: await resolveSettings(flags),
      ...(rates ? { rates } : {}),
      ...(flags.source ? { source: flags.source } : {}),
      postgres: { ...(url ? { url } : {}), ...(flags.database ? { database: flags.database } : {}) },
      ...(flags.table ? { table: flags.table } : {}),
      events: { step: (step, dataset, detail) => io.progress(`${step}${dataset ? ` ${dataset}` : ''}${detail ? ` ${JSON.stringify(detail)}` : ''}`) },
    });
  } finally {
    io.done();
  }
}

/** The `run` command. */
export async function runCommand(pipelineName: string, flags: RunFlags, io: CliIo): Promise<number> {
  const staged = pipelineNamed(pipelineName).run;
  const summary = staged ? await runStagedOnce(staged, flags, io) : await runOnce(pipelineName, await resolveSettings(flags), io);
  io.out(flags.json ? JSON.stringify(summary) : formatSummary(summary));
  return summary.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
}
