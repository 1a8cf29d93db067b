/** `lakehouse query`, `report` and `tables`: read the warehouse through the configured engine and catalog. */
import { parseTableName } from '../../../catalog/names.js';
import { formatResult, type OutputFormat } from '../../../catalog/reports/format.js';
import { runReport } from '../../../catalog/reports/run-report.js';
import { UsageError } from '../../../etl/errors.js';
import { openContext } from '../../runner/lakehouse-context.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { resolveSettings, type WarehouseFlags } from '../settings.js';

/** Flags of the reading commands. */
export interface OutputFlags extends WarehouseFlags {
  /** table (default), json or csv. */
  output?: string;
  /** Database for unqualified report tables (default ecommerce). */
  database?: string;
  /** Report: first date (YYYY-MM-DD). */
  from?: string;
  /** Report: last date. */
  to?: string;
  /** Report: most rows. */
  limit?: string;
}

function outputOf(flags: OutputFlags): OutputFormat {
  const output = flags.output ?? 'table';
  if (output !== 'table' && output !== 'json' && output !== 'csv') throw new UsageError(`--output must be table, json or csv (got ${output})`);
  return output;
}


/** `lakehouse query "<SQL>"`. */
export async function queryCommand(sql: string, flags: OutputFlags, io: CliIo): Promise<number> {
  const output = outputOf(flags);
  const context = openContext(await resolveSettings(flags));
  try {
    const result = await (await context.engine(flags.database)).query(sql);
    io.out(formatResult(result, output));
    if (output === 'table') io.err(`${result.stats.rows} row(s) in ${result.stats.elapsedMs} ms`);
    return EXIT_OK;
  } finally {
    await context.close();
  }
}

/** `lakehouse report <name>`. */
export async function reportCommand(name: string, flags: OutputFlags, io: CliIo): Promise<number> {
  const output = outputOf(flags);
  const context = openContext(await resolveSettings(flags));
  const database = flags.database ?? 'ecommerce';
  try {
    const limit = flags.limit === undefined ? undefined : Number(flags.limit);
    const result = await runReport(await context.engine(database), name, {
      database,
      ...(flags.from ? { from: flags.from } : {}),
      ...(flags.to ? { to: flags.to } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    if (output === 'table') io.err(result.title);
    io.out(formatResult(result, output));
    return EXIT_OK;
  } finally {
    await context.close();
  }
}

/** `lakehouse tables`. */
export async function tablesCommand(flags: OutputFlags, io: CliIo): Promise<number> {
  const output = outputOf(flags);
  const context = openContext(await resolveSettings(flags));
  const tables = await context.catalog.listTables(flags.database);
  const rows = tables.map((t) => ({ table: `${t.database}.${t.name}`, format: t.format, partitioned_by: t.partitionKeys.join(', '), location: t.location }));
  const columns = ['table', 'format', 'partitioned_by', 'location'].map((n) => ({ name: n, type: 'string' }));
  io.out(formatResult({ columns, rows }, output));
  return EXIT_OK;
}

/** Split and check `<db>.<table>`. */
export function tableArg(value: string): { database: string; name: string } {
  return parseTableName(value);
}
