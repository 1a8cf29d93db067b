/**
 * How a lakehouse table looks in Glue. Delta: `EXTERNAL_TABLE`, `table_type=DELTA`,
 * `spark.sql.sources.provider=delta`, the table root as location, non-partition columns in the
 * storage descriptor and partition columns as partition keys (Hive convention), Parquet SerDe.
 * Iceberg (as pyiceberg writes it): `EXTERNAL_TABLE`, `table_type=ICEBERG`, `metadata_location`,
 * `previous_metadata_location`, every column in the storage descriptor, no partition keys (Iceberg
 * partitioning is hidden). Both keep the exact Arrow schema (nullability included) in the parameter
 * `lakehouse.schema`, since Glue columns carry no nullability.
 */
import type { Column, Table, TableInput } from '@aws-sdk/client-glue';
import * as arrow from 'apache-arrow';
import type { CatalogTable, TableFormat } from '../catalog.js';
import { EMPTY_SCHEMA, isReservedProperty, schemaFromJson, schemaJson, type TableState } from '../table-entry.js';
import { arrowTypeOfHive, hiveTypeOf } from './hive-types.js';

/** Parameter holding the Arrow schema as Spark struct JSON. */
export const SCHEMA_PARAMETER = 'lakehouse.schema';
/** Parameter holding an Iceberg table's partition columns (JSON array). */
export const PARTITION_KEYS_PARAMETER = 'lakehouse.partition_keys';

const PARQUET = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
};

/** The Iceberg pointer of a table input. */
export interface GluePointer {
  /** Current metadata file. */
  metadataLocation?: string;
  /** Metadata file before the last swap. */
  previousMetadataLocation?: string;
}

/** The `TableInput` of a table `name` in `state` (with its Iceberg pointer). */
export function tableInputOf(name: string, state: TableState, pointer: GluePointer = {}): TableInput {
  const columnOf = (field: arrow.Field): Column => ({ Name: field.name, Type: hiveTypeOf(field.type, field.name) });
  const parameters: Record<string, string> = { ...state.properties, EXTERNAL: 'TRUE', [SCHEMA_PARAMETER]: schemaJson(state.schema) };
  if (state.format === 'delta') {
    const partitions = new Set(state.partitionKeys);
    const byName = new Map(state.schema.fields.map((f) => [f.name, f]));
    return {
      Name: name,
      TableType: 'EXTERNAL_TABLE',
      Parameters: { ...parameters, table_type: 'DELTA', 'spark.sql.sources.provider': 'delta' },
      StorageDescriptor: {
        Location: state.location,
        Columns: state.schema.fields.filter((f) => !partitions.has(f.name)).map(columnOf),
        ...PARQUET,
      },
      PartitionKeys: state.partitionKeys.map((key) => columnOf(byName.get(key)!)),
    };
  }
  return {
    Name: name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      ...parameters,
      table_type: 'ICEBERG',
      [PARTITION_KEYS_PARAMETER]: JSON.stringify(state.partitionKeys),
      ...(pointer.metadataLocation !== undefined ? { metadata_location: pointer.metadataLocation } : {}),
      ...(pointer.previousMetadataLocation !== undefined ? { previous_metadata_location: pointer.previousMetadataLocation } : {}),
    },
    StorageDescriptor: { Location: state.location, Columns: state.schema.fields.map(columnOf) },
    PartitionKeys: [],
  };
}

/** The format of a Glue table, or undefined when it is neither Delta nor Iceberg. */
export function formatOf(table: Table): TableFormat | undefined {
  const type = table.Parameters?.table_type?.toLowerCase();
  if (type === 'iceberg') return 'iceberg';
  if (type === 'delta' || table.Parameters?.['spark.sql.sources.provider']?.toLowerCase() === 'delta') return 'delta';
  return undefined;
}

/** The catalog table of a Glue table, or undefined when it is neither Delta nor Iceberg. */
export function catalogTableOf(database: string, table: Table): CatalogTable | undefined {
  const format = formatOf(table);
  if (!format) return undefined;
  const parameters = table.Parameters ?? {};
  const partitionKeys =
    format === 'delta'
      ? (table.PartitionKeys ?? []).map((c) => c.Name ?? '')
      : (JSON.parse(parameters[PARTITION_KEYS_PARAMETER] ?? '[]') as string[]);
  const properties = Object.fromEntries(Object.entries(parameters).filter(([key]) => !isReservedProperty(key)));
  return {
    database,
    name: table.Name ?? '',
    format,
    location: table.StorageDescriptor?.Location ?? '',
    schema: schemaOf(table),
    partitionKeys,
    properties,
    ...(parameters.metadata_location !== undefined ? { metadataLocation: parameters.metadata_location } : {}),
    ...(parameters.previous_metadata_location !== undefined ? { previousMetadataLocation: parameters.previous_metadata_location } : {}),
    version: table.VersionId ?? '',
  };
}

/** The Arrow schema: the exact one we stored, else one derived from the Glue columns (all nullable). */
function schemaOf(table: Table): arrow.Schema {
  const stored = table.Parameters?.[SCHEMA_PARAMETER];
  if (stored) return schemaFromJson(stored);
  const columns = [...(table.StorageDescriptor?.Columns ?? []), ...(table.PartitionKeys ?? [])];
  if (columns.length === 0) return EMPTY_SCHEMA;
  return new arrow.Schema(columns.map((c) => new arrow.Field(c.Name ?? '', arrowTypeOfHive(c.Type ?? 'string', c.Name ?? ''), true)));
}
