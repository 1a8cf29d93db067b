/** The row inputs operations accept, and the data-file target of a table. */
import type * as arrow from 'apache-arrow';
import type { IcebergTable } from '../table.js';
import type { DataFileTarget } from '../write-data-files.js';

/** Rows to write: an Arrow table, a batch, or batches (sync or async). */
export type RowsInput = arrow.Table | arrow.RecordBatch | Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>;

/** Where and how `table` writes new data files now (current schema, default spec). */
export function dataFileTarget(table: IcebergTable): DataFileTarget {
  return { files: table.files, schema: table.icebergSchema, arrowSchema: table.schema, spec: table.spec };
}
