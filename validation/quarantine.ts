/**
 * The quarantine: rejected rows as records, and the `rejected_records` table they are written to.
 */
import * as arrow from 'apache-arrow';
import type { RuleCode } from './rules.js';

/** One rejected row, as it goes into `<database>.rejected_records`. */
export interface QuarantineRecord {
  /** Dataset name, e.g. `orders`. */
  readonly dataset: string;
  /** URI of the raw file the row came from. */
  readonly source_uri: string;
  /** 1-based line the row starts on in that file (the header is line 1). */
  readonly source_line: number;
  /** The rule the row failed. */
  readonly rule: RuleCode;
  /** Why, naming the column and value where there is one. */
  readonly message: string;
  /** The row's text as it appeared in the file, without its line break. */
  readonly raw_record: string;
}

/** The schema of the `rejected_records` table. */
export const REJECTED_RECORDS_SCHEMA = new arrow.Schema([
  new arrow.Field('run_id', new arrow.Utf8(), false),
  new arrow.Field('dataset', new arrow.Utf8(), false),
  new arrow.Field('source_uri', new arrow.Utf8(), false),
  new arrow.Field('source_line', new arrow.Int64(), false),
  new arrow.Field('rule', new arrow.Utf8(), false),
  new arrow.Field('message', new arrow.Utf8(), false),
  new arrow.Field('raw_record', new arrow.Utf8(), false),
  new arrow.Field('rejected_at', new arrow.TimestampMicrosecond('UTC'), false),
]);

/** Options of `quarantineBatches`. */
export interface QuarantineBatchOptions {
  /** The run the rows were rejected in. */
  runId: string;
  /** When the rows were rejected (the run's clock). */
  rejectedAt: Date;
  /** Most rows per batch (default 65,536). */
  batchRows?: number;
}

const encoder = new TextEncoder();

function utf8Column(values: readonly string[]): arrow.Data<arrow.Utf8> {
  const encoded = values.map((v) => encoder.encode(v));
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  encoded.forEach((e, i) => {
    total += e.length;
    offsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  encoded.forEach((e, i) => data.set(e, offsets[i]!));
  return arrow.makeData({ type: new arrow.Utf8(), length: values.length, valueOffsets: offsets, data, nullCount: 0 });
}

/** Quarantine records as Arrow batches of `REJECTED_RECORDS_SCHEMA`, at most `batchRows` rows each. */
export function* quarantineBatches(records: readonly QuarantineRecord[], options: QuarantineBatchOptions): Generator<arrow.RecordBatch> {
  const size = options.batchRows ?? 65_536;
  const at = BigInt(options.rejectedAt.getTime()) * 1000n;
  const fields = REJECTED_RECORDS_SCHEMA.fields;
  for (let start = 0; start < records.length; start += size) {
    const part = records.slice(start, start + size);
    const n = part.length;
    const lines = new BigInt64Array(n);
    part.forEach((r, i) => (lines[i] = BigInt(r.source_line)));
    const children = [
      utf8Column(part.map(() => options.runId)),
      utf8Column(part.map((r) => r.dataset)),
      utf8Column(part.map((r) => r.source_uri)),
      arrow.makeData({ type: fields[3]!.type as arrow.Int64, length: n, data: lines as unknown as Int32Array, nullCount: 0 } as never),
      utf8Column(part.map((r) => r.rule)),
      utf8Column(part.map((r) => r.message)),
      utf8Column(part.map((r) => r.raw_record)),
      arrow.makeData({ type: fields[7]!.type as arrow.TimestampMicrosecond, length: n, data: new BigInt64Array(n).fill(at) as unknown as Int32Array, nullCount: 0 } as never),
    ] as arrow.Data[];
    const struct = arrow.makeData({ type: new arrow.Struct(fields), length: n, children, nullCount: 0 });
    yield new arrow.RecordBatch(REJECTED_RECORDS_SCHEMA, struct);
  }
}
