/** Delta Lake tables: create/open/read (DeltaTable) and the operations that change them. */
export * from './actions.js';
export * from './errors.js';
export { DeltaTable, type TableDefinition, type TableOptions, type HistoryEntry, type ScanOptions } from './table.js';
export { Snapshot } from './snapshot.js';
export { write, type WriteOptions, type WriteMetrics, type OverwriteScope } from './operations/write.js';
export { merge, type MergeOptions, type MergeMetrics } from './operations/merge.js';
export { deleteWhere, type DeleteMetrics } from './operations/delete.js';
export { optimize, type OptimizeOptions, type OptimizeMetrics } from './operations/optimize.js';
export { vacuum, type VacuumOptions, type VacuumMetrics } from './operations/vacuum.js';
export { writeCheckpoint } from './checkpoint-writer.js';
export { fromSchemaString, toSchemaString } from './schema.js';
