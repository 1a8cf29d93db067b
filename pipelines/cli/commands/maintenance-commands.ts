/** `lakehouse history`, `optimize` and `vacuum` on one catalog table, Delta or Iceberg. */
import { parseTableName } from '../../../catalog/names.js';
import { formatResult, type OutputFormat } from '../../../catalog/reports/format.js';
import * as delta from '../../../etl/delta/index.js';
import { NotFoundError, UsageError } from '../../../etl/errors.js';
import * as iceberg from '../../../etl/iceberg/index.js';
import { openStore } from '../../../etl/storage/open-store.js';
import { openContext, type LakehouseContext } from '../../runner/lakehouse-context.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK } from '../exit-codes.js';
import { resolveSettings, type WarehouseFlags } from '../settings.js';

/** Flags of the maintenance commands. */
export interface MaintenanceFlags extends WarehouseFlags {
  /** history: table, json or csv. */
  output?: string;
  /** history: most entries. */
  limit?: string;
  /** vacuum: keep files newer than this many hours (default 168). */
  retainHours?: string;
  /** vacuum: list, do not delete. */
  dryRun?: boolean;
  /** vacuum: allow a retention shorter than the table's. */
  force?: boolean;
}

type Opened = { format: 'delta'; table: delta.DeltaTable } | { format: 'iceberg'; table: iceberg.IcebergTable };

async function openTable(context: LakehouseContext, qualified: string): Promise<Opened> {
  const { database, name } = parseTableName(qualified);
  const entry = await context.catalog.getTable(database, name);
  if (!entry) throw new NotFoundError(`table ${qualified} is not in the ${context.catalog.kind} catalog (see: lakehouse tables)`);
  const store = openStore(entry.location);
  if (entry.format === 'delta') return { format: 'delta', table: await delta.DeltaTable.open(store) };
  return { format: 'iceberg', table: await iceberg.IcebergTable.open(store, context.catalog, qualified) };
}

/** `lakehouse history <db.table>`. */
export async function historyCommand(qualified: string, flags: MaintenanceFlags, io: CliIo): Promise<number> {
  const output = (flags.output ?? 'table') as OutputFormat;
  const context = openContext(await resolveSettings(flags));
  const opened = await openTable(context, qualified);
  const limit = flags.limit === undefined ? undefined : Number(flags.limit);
  const rows =
    opened.format === 'delta'
      ? (await opened.table.history(limit)).map((h) => ({
          version: h.version,
          timestamp: new Date(h.timestamp).toISOString(),
          operation: h.operation,
          run_id: String(h.commitInfo.runId ?? ''),
          metrics: JSON.stringify(h.operationMetrics),
        }))
      : opened.table.history(limit).map((h) => ({
          version: h.sequenceNumber,
          timestamp: new Date(h.timestampMs).toISOString(),
          operation: h.operation,
          run_id: h.summary['lakehouse.run-id'] ?? '',
          metrics: JSON.stringify({ added: h.summary['added-records'], total: h.summary['total-records'] }),
        }));
  const columns = ['version', 'timestamp', 'operation', 'run_id', 'metrics'].map((n) => ({ name: n, type: 'string' }));
  io.out(formatResult({ columns, rows }, output));
  return EXIT_OK;
}

/** `lakehouse optimize <db.table>`. */
export async function optimizeCommand(qualified: string, flags: MaintenanceFlags, io: CliIo): Promise<number> {
  const context = openContext(await resolveSettings(flags));
  const opened = await openTable(context, qualified);
  io.progress(`optimizing ${qualified}`);
  const m = opened.format === 'delta' ? await delta.optimize(opened.table) : await iceberg.optimize(opened.table);
  io.done();
  io.out(JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  return EXIT_OK;
}

/** `lakehouse vacuum <db.table>`. */
export async function vacuumCommand(qualified: string, flags: MaintenanceFlags, io: CliIo): Promise<number> {
  const hours = flags.retainHours === undefined ? 168 : Number(flags.retainHours);
  if (!(hours >= 0)) throw new UsageError(`--retain-hours must be a number of hours (got ${flags.retainHours})`);
  const context = openContext(await resolveSettings(flags));
  const opened = await openTable(context, qualified);
  if (opened.format === 'delta') {
    const m = await delta.vacuum(opened.table, { retentionHours: hours, dryRun: Boolean(flags.dryRun), enforceRetention: !flags.force });
    io.out(`${m.dryRun ? 'would delete' : 'deleted'} ${m.files.length} file(s), ${m.bytes} bytes`);
    for (const f of m.files) io.out(`  ${f}`);
    return EXIT_OK;
  }
  const olderThanMs = Date.now() - hours * 3_600_000;
  const expired = await iceberg.expireSnapshots(opened.table, { olderThanMs, dryRun: Boolean(flags.dryRun) });
  const orphans = await iceberg.removeOrphanFiles(opened.table, { olderThanMs, dryRun: Boolean(flags.dryRun) });
  io.out(JSON.stringify({ expired, orphans }, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  return EXIT_OK;
}
