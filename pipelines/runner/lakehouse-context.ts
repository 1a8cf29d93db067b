/**
 * Turns settings (warehouse and raw URIs, format, catalog, engine) into the live parts a run or a query
 * needs: stores, the catalog, the query engine. Shared by the CLI and the Lambda handler.
 */
import { AthenaEngine } from '../../catalog/athena/athena-engine.js';
import type { Catalog } from '../../catalog/catalog.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { GlueCatalog } from '../../catalog/glue/glue-catalog.js';
import type { QueryEngine } from '../../catalog/query/query-engine.js';
import { UsageError } from '../../etl/errors.js';
import { openStore } from '../../etl/storage/open-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { Format } from './table-sink.js';

/** Settings, after the config file and flags are merged. */
export interface LakehouseSettings {
  /** Warehouse URI (local folder or s3://). */
  warehouse: string;
  /** Raw zone URI (for runs). */
  raw?: string;
  /** Table format for new tables (default delta). */
  format?: Format;
  /** `local` (embedded, default) or `glue`. */
  catalog?: 'local' | 'glue';
  /** `duckdb` (default) or `athena`. */
  engine?: 'duckdb' | 'athena';
  /** Athena work group. */
  workGroup?: string;
  /** Athena results location (s3://). */
  outputLocation?: string;
  /** AWS region (else the SDK's default chain). */
  region?: string;
}

/** The live parts. */
export interface LakehouseContext {
  /** Settings with defaults applied. */
  settings: Required<Pick<LakehouseSettings, 'warehouse' | 'format' | 'catalog' | 'engine'>> & LakehouseSettings;
  /** The warehouse store. */
  warehouse: ObjectStore;
  /** The catalog. */
  catalog: Catalog;
  /** Opens the query engine (DuckDB or Athena) on first use. */
  engine(database?: string): Promise<QueryEngine>;
  /** Release the engine. */
  close(): Promise<void>;
}

/** Build the context. `region` is applied to the AWS SDK through AWS_REGION when given. */
export function openContext(settings: LakehouseSettings): LakehouseContext {
  if (!settings.warehouse) throw new UsageError('no warehouse: pass --warehouse URI or set "warehouse" in lakehouse.config.json');
  if (settings.region) process.env.AWS_REGION = settings.region;
  const full = { format: 'delta' as const, catalog: 'local' as const, engine: 'duckdb' as const, ...settings };
  const warehouse = openStore(full.warehouse);
  const catalog: Catalog = full.catalog === 'glue' ? new GlueCatalog({}) : new EmbeddedCatalog(warehouse);
  let engine: Promise<QueryEngine> | undefined;
  return {
    settings: full,
    warehouse,
    catalog,
    engine(database) {
      engine ??=
        full.engine === 'athena'
          ? Promise.resolve(
              new AthenaEngine({
                ...(full.workGroup ? { workGroup: full.workGroup } : {}),
                ...(full.outputLocation ? { outputLocation: full.outputLocation } : {}),
                ...(database ? { database } : {}),
              }),
            )
          : // Loaded on first use: the Lambda bundle, which queries through Athena, leaves DuckDB out.
            import('../../catalog/duckdb/duckdb-engine.js').then(({ DuckDbEngine }) => DuckDbEngine.open({ catalog }));
      return engine;
    },
    async close() {
      if (engine) await (await engine).close();
    },
  };
}
