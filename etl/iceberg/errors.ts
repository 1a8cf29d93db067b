/** Errors of the Iceberg table layer (shared commit and schema errors live in etl/table/errors.ts). */
import { LakehouseError } from '../errors.js';

/** The catalog has no pointer for the table (it was never created, or was dropped). */
export class IcebergTableNotFoundError extends LakehouseError {
  constructor(identifier: string, detail = 'the catalog has no metadata location for it') {
    super('table_not_found', 'terminal', `no Iceberg table ${identifier}: ${detail}`);
  }
}

/** Creating a table the catalog already knows. */
export class IcebergTableExistsError extends LakehouseError {
  constructor(identifier: string) {
    super('table_exists', 'terminal', `an Iceberg table ${identifier} already exists`);
  }
}

/** Metadata, a manifest list or a manifest is not what the spec says it must be. */
export class CorruptMetadataError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('corrupt_metadata', 'terminal', message, options);
  }
}

/** The table uses something this implementation does not support (format version 3, delete files, a bucket transform, ...). */
export class UnsupportedIcebergFeatureError extends LakehouseError {
  constructor(message: string) {
    super('unsupported_feature', 'terminal', message);
  }
}

/** A snapshot id or timestamp that the table's metadata does not know. */
export class SnapshotNotFoundError extends LakehouseError {
  constructor(message: string) {
    super('snapshot_not_found', 'terminal', message);
  }
}
