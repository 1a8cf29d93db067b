/**
 * The Avro schemas of Iceberg v2 manifest lists (`manifest_file`) and manifests (`manifest_entry` with
 * `data_file`), every field carrying its spec field id (`field-id`), lists their `element-id`, and
 * int-keyed maps written as arrays of key/value records with logical type `map`, as the spec requires.
 */
import type { AvroSchema } from './avro-file.js';
import type { PartitionSpec } from './partition-spec.js';

/** An optional field: a union with null, default null. */
function optional(name: string, type: AvroSchema, id: number): Record<string, unknown> {
  return { name, type: ['null', type], default: null, 'field-id': id };
}

function required(name: string, type: AvroSchema, id: number): Record<string, unknown> {
  return { name, type, 'field-id': id };
}

/** `map<keyId: int, valueId: value>` in the array-of-records form Iceberg uses for non-string keys. */
function intMap(keyId: number, valueId: number, value: AvroSchema): AvroSchema {
  return {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [
        { name: 'key', type: 'int', 'field-id': keyId },
        { name: 'value', type: value, 'field-id': valueId },
      ],
    },
  };
}

/** The Avro type of a value of an Iceberg primitive type (as used in partition tuples). */
export function avroTypeOf(type: string): AvroSchema {
  switch (type) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return type;
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    default:
      return 'string';
  }
}

/** An Avro-compatible name for a partition field (as the Java implementation makes them: `_x2D` for `-`). */
export function avroName(name: string): string {
  let out = '';
  for (const [i, ch] of [...name].entries()) {
    const ok = /[A-Za-z_]/.test(ch) || (i > 0 && /[0-9]/.test(ch));
    out += ok ? ch : /[0-9]/.test(ch) ? `_${ch}` : `_x${ch.codePointAt(0)!.toString(16).toUpperCase()}`;
  }
  return out || '_';
}

/** The `manifest_file` schema of a v2 manifest list. */
export const MANIFEST_LIST_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    required('manifest_path', 'string', 500),
    required('manifest_length', 'long', 501),
    required('partition_spec_id', 'int', 502),
    required('content', 'int', 517),
    required('sequence_number', 'long', 515),
    required('min_sequence_number', 'long', 516),
    required('added_snapshot_id', 'long', 503),
    required('added_files_count', 'int', 504),
    required('existing_files_count', 'int', 505),
    required('deleted_files_count', 'int', 506),
    required('added_rows_count', 'long', 512),
    required('existing_rows_count', 'long', 513),
    required('deleted_rows_count', 'long', 514),
    optional(
      'partitions',
      {
        type: 'array',
        'element-id': 508,
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            required('contains_null', 'boolean', 509),
            optional('contains_nan', 'boolean', 518),
            optional('lower_bound', 'bytes', 510),
            optional('upper_bound', 'bytes', 511),
          ],
        },
      },
      507,
    ),
    optional('key_metadata', 'bytes', 519),
  ],
};

/** The `manifest_entry` schema of a v2 data manifest for `spec`, given the result type of each partition field. */
export function manifestEntrySchema(spec: PartitionSpec, resultTypes: string[]): AvroSchema {
  const partition = {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((f, i) => optional(avroName(f.name), avroTypeOf(resultTypes[i]!), f['field-id'])),
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      required('status', 'int', 0),
      optional('snapshot_id', 'long', 1),
      optional('sequence_number', 'long', 3),
      optional('file_sequence_number', 'long', 4),
      required(
        'data_file',
        {
          type: 'record',
          name: 'r2',
          fields: [
            required('content', 'int', 134),
            required('file_path', 'string', 100),
            required('file_format', 'string', 101),
            required('partition', partition, 102),
            required('record_count', 'long', 103),
            required('file_size_in_bytes', 'long', 104),
            optional('column_sizes', intMap(117, 118, 'long'), 108),
            optional('value_counts', intMap(119, 120, 'long'), 109),
            optional('null_value_counts', intMap(121, 122, 'long'), 110),
            optional('nan_value_counts', intMap(138, 139, 'long'), 137),
            optional('lower_bounds', intMap(126, 127, 'bytes'), 125),
            optional('upper_bounds', intMap(129, 130, 'bytes'), 128),
            optional('key_metadata', 'bytes', 131),
            optional('split_offsets', { type: 'array', items: 'long', 'element-id': 133 }, 132),
            optional('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135),
            optional('sort_order_id', 'int', 140),
          ],
        },
        2,
      ),
    ],
  };
}
