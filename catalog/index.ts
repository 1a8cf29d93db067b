/** Public surface of the catalog layer: catalogs (embedded, Glue), query engines (DuckDB, Athena) and reports. */
export type { Catalog, CatalogTable, TableDefinition, TableFormat } from './catalog.js';
export { EmbeddedCatalog, type EmbeddedCatalogOptions } from './embedded/embedded-catalog.js';
export { GlueCatalog, type GlueCatalogOptions } from './glue/glue-catalog.js';
export { createGlueClient } from './glue/glue-client.js';
export { hiveTypeOf, arrowTypeOfHive } from './glue/hive-types.js';
export { AWS_MAX_ATTEMPTS, type AwsClientOptions } from './aws-client-config.js';
export type { ColumnInfo, QueryEngine, QueryOptions, QueryResult, QueryStats, Row, SqlParam, SqlValue } from './query/query-engine.js';
export { DuckDbEngine, type DuckDbEngineOptions } from './duckdb/duckdb-engine.js';
export { DeltaSnapshotResolver } from './duckdb/delta-resolver.js';
export { IcebergSnapshotResolver } from './duckdb/iceberg-resolver.js';
export type { DataFile, ResolveContext, ResolvedSnapshot, SnapshotResolver, TableVersion } from './duckdb/snapshot-resolver.js';
export { FileCache, defaultCacheDir, type FileCacheStats } from './duckdb/file-cache.js';
export { AthenaEngine, type AthenaEngineOptions, type AthenaQueryOptions } from './athena/athena-engine.js';
export { createAthenaClient } from './athena/athena-client.js';
export { QueryCancelledError, QueryFailedError, QueryTimeoutError, ServiceError, TransientServiceError } from './errors.js';
export { parseTableName, qualifiedName, type TableName } from './names.js';
export * from './reports/index.js';
