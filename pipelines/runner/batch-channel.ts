/**
 * A bounded hand-over queue between a producer that pushes items and a consumer that iterates them:
 * `push` waits while `capacity` items are queued (back-pressure, so memory stays bounded), the consumer
 * waits while the queue is empty. The producer ends the stream with `close` (the consumer sees the end
 * after the queued items) or `fail` (the consumer's next read throws). A consumer that stops early, or
 * is declared gone with `detach`, turns later pushes into no-ops, so the producer never blocks forever.
 */
import { UsageError } from '../../etl/errors.js';

type Waiter<T> = { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };

/** A bounded single-producer, single-consumer queue. */
export class BatchChannel<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private reader: Waiter<T> | undefined;
  private space: (() => void) | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private gone = false;
  private iterated = false;

  /** A channel holding at most `capacity` items not yet taken. */
  constructor(private readonly capacity = 2) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new UsageError(`channel capacity must be a positive integer, got ${capacity}`);
  }

  /** True once the consumer is gone: pushes are dropped. */
  get detached(): boolean {
    return this.gone;
  }

  /** Queues `item`; resolves when there is room again (at once when the consumer is gone). */
  async push(item: T): Promise<void> {
    if (this.ended || this.failure) throw new UsageError('push after the channel was closed');
    if (this.gone) return;
    const reader = this.reader;
    if (reader !== undefined) {
      this.reader = undefined;
      reader.resolve({ value: item, done: false });
      return;
    }
    this.queue.push(item);
    while (this.queue.length >= this.capacity && !this.gone) await new Promise<void>((resolve) => (this.space = resolve));
  }

  /** Ends the stream: the consumer reads what is queued, then the end. */
  close(): void {
    if (this.ended || this.failure) return;
    this.ended = true;
    this.wakeReader();
  }

  /** Ends the stream with `error`: the consumer's next read throws it; queued items are dropped. */
  fail(error: unknown): void {
    if (this.ended || this.failure) return;
    this.failure = { error };
    this.queue.length = 0;
    this.wakeReader();
  }

  /** The consumer is gone (it stopped, or will never read): drop what is queued and every later push. */
  detach(): void {
    this.gone = true;
    this.queue.length = 0;
    this.wakeProducer();
  }

  /** The items, once. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterated) throw new UsageError('a channel can be iterated only once');
    this.iterated = true;
    return {
      next: () => this.next(),
      return: async () => {
        this.detach();
        return { value: undefined, done: true };
      },
    };
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()!;
      this.wakeProducer();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended || this.gone) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.reader = { resolve, reject }));
  }

  private wakeReader(): void {
    const reader = this.reader;
    if (reader === undefined) return;
    this.reader = undefined;
    if (this.failure) reader.reject(this.failure.error);
    else reader.resolve({ value: undefined, done: true });
  }

  private wakeProducer(): void {
    const space = this.space;
    this.space = undefined;
    space?.();
  }
}
