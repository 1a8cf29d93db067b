/** Merge `lakehouse.config.json` with command-line flags (flags win) into the context settings. */
import { UsageError } from '../../etl/errors.js';
import { loadConfig } from '../config/config.js';
import type { LakehouseSettings } from '../runner/lakehouse-context.js';

/** Flags shared by the commands that touch a warehouse. */
export interface WarehouseFlags {
  /** --config FILE. */
  config?: string;
  /** --warehouse URI. */
  warehouse?: string;
  /** --raw URI. */
  raw?: string;
  /** --format delta|iceberg. */
  format?: string;
  /** --catalog local|glue. */
  catalog?: string;
  /** --engine duckdb|athena. */
  engine?: string;
  /** --work-group NAME. */
  workGroup?: string;
  /** --output-location s3://... */
  outputLocation?: string;
  /** --region NAME. */
  region?: string;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got ${value})`);
  return value as T;
}

/** The settings for this invocation. */
export async function resolveSettings(flags: WarehouseFlags): Promise<LakehouseSettings & { warehouse: string }> {
  const config = await loadConfig(flags.config);
  const warehouse = flags.warehouse ?? config.warehouse;
  if (!warehouse) throw new UsageError('no warehouse: pass --warehouse URI or set "warehouse" in lakehouse.config.json');
  const settings: LakehouseSettings & { warehouse: string } = { warehouse };
  const raw = flags.raw ?? config.raw;
  if (raw) settings.raw = raw;
  const format = oneOf('--format', flags.format, ['delta', 'iceberg'] as const) ?? config.format;
  if (format) settings.format = format;
  const catalog = oneOf('--catalog', flags.catalog, ['local', 'glue'] as const) ?? config.catalog?.type;
  if (catalog) settings.catalog = catalog;
  const engine = oneOf('--engine', flags.engine, ['duckdb', 'athena'] as const) ?? config.engine?.type;
  if (engine) settings.engine = engine;
  const workGroup = flags.workGroup ?? config.engine?.workGroup;
  if (workGroup) settings.workGroup = workGroup;
  const outputLocation = flags.outputLocation ?? config.engine?.outputLocation;
  if (outputLocation) settings.outputLocation = outputLocation;
  const region = flags.region ?? config.region;
  if (region) settings.region = region;
  return settings;
}
