/**
 * Columns a pipeline adds to a dataset's accepted rows before they are written: values the raw file
 * implies (its ingestion date) or that derive from validated columns (a full name, a converted amount).
 * The table's schema and partitioning are the enrichment's; the contract still validates the CSV.
 */
import type * as arrow from 'apache-arrow';
import { LakehouseError } from '../../etl/errors.js';
import type { RawFile } from './raw-files.js';

/** How one dataset's accepted rows become the table's rows. */
export interface DatasetEnrichment {
  /** Schema of the table: the contract's columns followed by the added ones. */
  readonly schema: arrow.Schema;
  /** Partition columns of the table (may name added columns). */
  readonly partitionBy: readonly string[];
  /** The batch with the added columns; every row of `batch` came from `file`. */
  apply(batch: arrow.RecordBatch, file: RawFile): arrow.RecordBatch;
}

/** An accepted batch whose raw file is unknown (a bug: the validator hands out batches of one file each). */
export class EnrichmentInputError extends LakehouseError {
  constructor(dataset: string) {
    super('internal', 'terminal', `dataset ${dataset}: an accepted batch has no raw file to enrich it from`);
  }
}

/** `batches` enriched by `enrichment`, each with the raw file `fileOf` names for it. */
export async function* enrichBatches(
  dataset: string,
  batches: AsyncIterable<arrow.RecordBatch>,
  enrichment: DatasetEnrichment,
  fileOf: (batch: arrow.RecordBatch) => RawFile | undefined,
): AsyncGenerator<arrow.RecordBatch> {
  for await (const batch of batches) {
    const file = fileOf(batch);
    if (!file) throw new EnrichmentInputError(dataset);
    yield enrichment.apply(batch, file);
  }
}
