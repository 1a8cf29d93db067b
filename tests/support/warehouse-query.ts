/** Run SQL on a local warehouse through the embedded catalog and DuckDB, as `lakehouse query` does. */
import { DuckDbEngine } from '../../catalog/duckdb/duckdb-engine.js';
import { EmbeddedCatalog } from '../../catalog/embedded/embedded-catalog.js';
import { openStore } from '../../etl/storage/open-store.js';

/** The rows of `sql` over the tables of the warehouse at `warehouse` (a local folder). */
export async function queryWarehouse<R>(warehouse: string, sql: string): Promise<R[]> {
  const engine = await DuckDbEngine.open({ catalog: new EmbeddedCatalog(openStore(warehouse)) });
  try {
    return (await engine.query(sql)).rows as R[];
  } finally {
    await engine.close();
  }
}
