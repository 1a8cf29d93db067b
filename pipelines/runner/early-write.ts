/**
 * A dataset's table write started while the dataset is being validated, so the accepted rows go into
 * (uncommitted) data files as the raw files are read, instead of being read a second time afterwards.
 * Validation feeds it through `stream`; the write cannot commit before `finish` ends its input, which
 * the runner calls only once every dataset is validated and the quarantine rows are committed. When
 * validation abandons the stream (a later row may overturn a row streamed earlier) or the run fails,
 * the write is cancelled: its input fails, and the table deletes the files it wrote.
 */
import type * as arrow from 'apache-arrow';
import { LakehouseError } from '../../etl/errors.js';
import type { AcceptedStream } from '../../validation/dataset-validator.js';
import { BatchChannel } from './batch-channel.js';
import type { SinkWrite } from './table-sink.js';

/** The reason an early write's input fails when it is cancelled; never reaches a user. */
export class EarlyWriteCancelled extends LakehouseError {
  constructor(why: string) {
    super('internal', 'terminal', `single-pass write cancelled: ${why}`);
  }
}

type Outcome = { ok: true; write: SinkWrite } | { ok: false; error: unknown };

/** A write fed while validating. */
export class EarlyWrite {
  private readonly channel = new BatchChannel<arrow.RecordBatch>(2);
  private readonly outcome: Promise<Outcome>;
  private cancelled = false;

  /**
   * Starts the write: `start` receives the rows (an async iterable that ends when `finish` is called)
   * and returns the write's promise.
   */
  constructor(start: (rows: AsyncIterable<arrow.RecordBatch>) => Promise<SinkWrite>) {
    const writing = Promise.resolve().then(() => start(this.channel));
    // The write may end without reading everything (its batch was already committed): stop feeding it.
    this.outcome = writing.then(
      (write): Outcome => {
        this.channel.detach();
        return { ok: true, write };
      },
      (error: unknown): Outcome => {
        this.channel.detach();
        return { ok: false, error };
      },
    );
    this.stream = {
      push: (batch) => this.channel.push(batch),
      abandon: () => {
        void this.cancel('validation must read the rows again');
      },
    };
  }

  /** Where validation hands the accepted rows. */
  readonly stream: AcceptedStream;

  /** True once cancelled (abandoned by validation, or by the runner). */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Ends the input and waits for the write (and its commit); throws what the write threw. */
  async finish(): Promise<SinkWrite> {
    if (this.cancelled) throw new EarlyWriteCancelled('finish after cancel');
    this.channel.close();
    const outcome = await this.outcome;
    if (!outcome.ok) throw outcome.error;
    return outcome.write;
  }

  /** Fails the input and waits until the write has cleaned up; never throws. */
  async cancel(why: string): Promise<void> {
    if (!this.cancelled) {
      this.cancelled = true;
      this.channel.fail(new EarlyWriteCancelled(why));
    }
    await this.outcome;
  }
}
