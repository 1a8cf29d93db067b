/**
 * Detections leave the state in two forms: JSON-lines files of exactly 50 under `<out>/detections/`
 * (only the file written at the end of the input may hold fewer), named by their first sequence number
 * so names are unique and sortable; and the Delta table `transaction_patterns.detections`, registered
 * in the embedded catalog. Both are exactly-once: a file's content is a function of the stored
 * detections and is written create-only; the table commit carries the last sequence number as its
 * Delta `txn` version.
 */
import * as arrow from 'apache-arrow';
import type { Catalog } from '../../catalog/catalog.js';
import * as delta from '../../etl/delta/index.js';
import { AlreadyExistsError } from '../../etl/errors.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { PrefixedStore } from '../../etl/storage/prefixed-store.js';
import { istTimestamp } from './ist-time.js';
import type { PatternState, StoredDetection } from './pattern-state.js';

/** Detections per file. */
export const DETECTIONS_PER_FILE = 50;
/** Folder of the detection files inside the output store. */
export const DETECTIONS_PREFIX = 'detections/';
/** Database and table of the detections table. */
export const DETECTIONS_TABLE = { database: 'transaction_patterns', name: 'detections' } as const;
/** Delta `txn` app id of the detections table commits. */
export const DETECTIONS_APP_ID = 'transaction-patterns:detections';

/** One line of a detection file. */
export interface DetectionLine {
  /** When Mechanism Y started, IST. */
  YStartTime: string;
  /** When the detection was made, IST. */
  detectionTime: string;
  /** `PatId1`, `PatId2` or `PatId3`. */
  patternId: string;
  /** `UPGRADE`, `CHILD` or `DEI-NEEDED`. */
  ActionType: string;
  /** Customer id, '' for PatId3. */
  customerName: string;
  /** Merchant id. */
  MerchantId: string;
}

/** The file line of a stored detection. */
export function detectionLine(d: StoredDetection): DetectionLine {
  return {
    YStartTime: istTimestamp(d.yStartMs),
    detectionTime: istTimestamp(d.detectedAtMs),
    patternId: d.patternId,
    ActionType: d.actionType,
    customerName: d.customer,
    MerchantId: d.merchant,
  };
}

/** Key of the file whose first detection is `firstSeq`. */
export function detectionFileKey(firstSeq: number): string {
  return `${DETECTIONS_PREFIX}detections-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

/** Schema of the detections table. */
export const DETECTIONS_SCHEMA = new arrow.Schema([
  new arrow.Field('seq', new arrow.Int64(), false),
  new arrow.Field('y_start_time', new arrow.TimestampMicrosecond('UTC'), false),
  new arrow.Field('detection_time', new arrow.TimestampMicrosecond('UTC'), false),
  new arrow.Field('pattern_id', new arrow.Utf8(), false),
  new arrow.Field('action_type', new arrow.Utf8(), false),
  new arrow.Field('customer_name', new arrow.Utf8(), false),
  new arrow.Field('merchant_id', new arrow.Utf8(), false),
]);

function batchOf(rows: readonly StoredDetection[]): arrow.RecordBatch {
  const n = rows.length;
  const micros = (f: (d: StoredDetection) => number) => BigInt64Array.from(rows, (d) => BigInt(Math.round(f(d))) * 1000n);
  const fields = DETECTIONS_SCHEMA.fields;
  const children = [
    arrow.makeData({ type: fields[0]!.type as arrow.Int64, length: n, data: BigInt64Array.from(rows, (d) => BigInt(d.seq)) as unknown as Int32Array, nullCount: 0 } as never),
    arrow.makeData({ type: fields[1]!.type as arrow.TimestampMicrosecond, length: n, data: micros((d) => d.yStartMs) as unknown as Int32Array, nullCount: 0 } as never),
    arrow.makeData({ type: fields[2]!.type as arrow.TimestampMicrosecond, length: n, data: micros((d) => d.detectedAtMs) as unknown as Int32Array, nullCount: 0 } as never),
    ...[(d: StoredDetection) => d.patternId, (d: StoredDetection) => d.actionType, (d: StoredDetection) => d.customer, (d: StoredDetection) => d.merchant].map(
      (f) => arrow.vectorFromArray(rows.map(f), new arrow.Utf8()).data[0]!,
    ),
  ] as arrow.Data[];
  return new arrow.RecordBatch(DETECTIONS_SCHEMA, arrow.makeData({ type: new arrow.Struct(fields), length: n, children, nullCount: 0 }));
}

/** Writes detection files and the detections table from the state. */
export class DetectionOutput {
  private table?: delta.DeltaTable;
  private registered = false;

  constructor(
    private readonly out: ObjectStore,
    private readonly catalog: Catalog,
    private readonly state: PatternState,
  ) {}

  /**
   * Write every full file of 50 not yet written (and, when `final`, the remainder as a last smaller file).
   * Resolves to the number of files written.
   */
  async flush(final: boolean): Promise<number> {
    const p = await this.state.progress();
    let flushed = p.flushedSeq;
    let files = 0;
    while (p.maxSeq - flushed >= DETECTIONS_PER_FILE || (final && p.maxSeq > flushed)) {
      const to = Math.min(p.maxSeq, flushed + DETECTIONS_PER_FILE);
      const rows = await this.state.detections(flushed, to);
      const text = rows.map((d) => JSON.stringify(detectionLine(d))).join('\n') + '\n';
      try {
        await this.out.putIfAbsent(detectionFileKey(flushed + 1), new TextEncoder().encode(text));
        files++;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        // Written before a crash, not yet recorded: same detections, same bytes.
      }
      await this.state.setFlushed(to);
      flushed = to;
    }
    return files;
  }

  /** Append the detections already in files but not yet in the table; register the table. Resolves to rows appended. */
  async commitTable(): Promise<number> {
    const store = new PrefixedStore(this.out, `processed/${DETECTIONS_TABLE.database}/${DETECTIONS_TABLE.name}`);
    this.table ??= await delta.DeltaTable.openOrCreate(store, { schema: DETECTIONS_SCHEMA, partitionColumns: [] });
    await this.table.refresh();
    const committed = this.table.snapshot.txns.get(DETECTIONS_APP_ID)?.version ?? 0;
    const { flushedSeq } = await this.state.progress();
    let appended = 0;
    if (flushedSeq > committed) {
      const rows = await this.state.detections(committed, flushedSeq);
      await delta.write(this.table, batchOf(rows), { txn: { appId: DETECTIONS_APP_ID, version: flushedSeq }, commitInfo: { pipeline: 'transaction-patterns' } });
      appended = rows.length;
    }
    if (!this.registered) {
      await this.catalog.createDatabase(DETECTIONS_TABLE.database);
      await this.catalog.registerTable({ ...DETECTIONS_TABLE, format: 'delta', location: store.uri, schema: DETECTIONS_SCHEMA, partitionKeys: [] });
      this.registered = true;
    }
    return appended;
  }
}
