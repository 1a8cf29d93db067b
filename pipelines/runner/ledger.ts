/**
 * The ingest ledger: exactly once per raw file. Before a run validates new files it records them as
 * the next batch of their dataset, `_lakehouse/ledger/<pipeline>/<dataset>/<batch>.json`, with a
 * create-only put. The table commit that ingests them carries the batch number as its idempotency key
 * (Delta `txn`, Iceberg snapshot summary), so "batch N is ingested" is part of the same atomic commit
 * as its rows: a crash between writing data and recording it can neither lose nor duplicate a file.
 * A batch planned but not committed (the run died) is picked up again by the next run.
 */
import { AlreadyExistsError } from '../../etl/errors.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import type { RawFile } from './raw-files.js';

/** One planned batch of a dataset. */
export interface LedgerBatch {
  /** Batch number, from 0, in planning order. */
  batch: number;
  /** Run that planned it. */
  runId: string;
  /** When it was planned (ISO-8601). */
  plannedAt: string;
  /** The file versions it holds. */
  files: RawFile[];
}

const pad = (n: number) => String(n).padStart(20, '0');

/** The ledger of one pipeline in a warehouse. */
export class IngestLedger {
  /** Key prefix of the ledger. */
  readonly prefix: string;

  constructor(
    private readonly warehouse: ObjectStore,
    pipeline: string,
  ) {
    this.prefix = `_lakehouse/ledger/${pipeline}`;
  }

  /** Every batch of a dataset, in batch order. */
  async batches(dataset: string): Promise<LedgerBatch[]> {
    const out: LedgerBatch[] = [];
    for await (const meta of this.warehouse.list(`${this.prefix}/${dataset}/`)) {
      if (!meta.key.endsWith('.json')) continue;
      out.push(JSON.parse(new TextDecoder().decode(await this.warehouse.get(meta.key))) as LedgerBatch);
    }
    return out.sort((a, b) => a.batch - b.batch);
  }

  /**
   * Record `files` as the next batch of `dataset`. When another run plans the same number first, the
   * files it took are dropped from ours and we try the next number; returns undefined when no file is left.
   */
  async plan(dataset: string, files: RawFile[], runId: string, now: Date): Promise<LedgerBatch | undefined> {
    let remaining = files;
    for (let attempt = 0; attempt < 100; attempt++) {
      const existing = await this.batches(dataset);
      const taken = new Set(existing.flatMap((b) => b.files.map((f) => f.fileId)));
      remaining = remaining.filter((f) => !taken.has(f.fileId));
      if (remaining.length === 0) return undefined;
      const batch: LedgerBatch = { batch: (existing.at(-1)?.batch ?? -1) + 1, runId, plannedAt: now.toISOString(), files: remaining };
      try {
        await this.warehouse.putIfAbsent(`${this.prefix}/${dataset}/${pad(batch.batch)}.json`, new TextEncoder().encode(JSON.stringify(batch)));
        return batch;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
    }
    throw new AlreadyExistsError(`could not plan a ledger batch for ${dataset}: other runs kept taking the next number`);
  }
}
