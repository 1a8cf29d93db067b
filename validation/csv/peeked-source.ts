/**
 * A byte source whose first chunks have been read ahead: lets a caller look at how big an input is
 * (did it end within the first N bytes?) before choosing how to read it, then read it whole, and
 * release it (close the file) whether or not it was read.
 */
import { UsageError } from '../../etl/errors.js';

/** A source with its first chunks already read; iterate it once, or `release` it. */
export class PeekedSource implements AsyncIterable<Uint8Array> {
  private readonly head: Uint8Array[];
  private readonly it: AsyncIterator<Uint8Array>;
  private done: boolean;
  private iterated = false;

  /** True when `peek` read the whole source: it is no longer than the bytes asked for. */
  readonly ended: boolean;

  private constructor(head: Uint8Array[], it: AsyncIterator<Uint8Array>, ended: boolean) {
    this.head = head;
    this.it = it;
    this.done = ended;
    this.ended = ended;
  }

  /**
   * Reads chunks of `source` until at least `minBytes` bytes are in hand or the source ends (`minBytes`
   * 0 reads nothing). A read error releases the source and is thrown as is.
   */
  static async peek(source: AsyncIterable<Uint8Array>, minBytes: number): Promise<PeekedSource> {
    const it = source[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let bytes = 0;
    let ended = false;
    try {
      while (bytes < minBytes) {
        const next = await it.next();
        if (next.done) {
          ended = true;
          break;
        }
        head.push(next.value);
        bytes += next.value.byteLength;
      }
    } catch (err) {
      await it.return?.()?.catch(() => undefined);
      throw err;
    }
    return new PeekedSource(head, it, ended);
  }

  /** The whole input, peeked chunks first. Stopping early releases the source. Throws `UsageError` when called twice. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.iterated) throw new UsageError('a PeekedSource can be iterated only once');
    this.iterated = true;
    return this.chunks();
  }

  /** Releases the source (e.g. closes the file) if it has not been read to its end. Safe to call twice. */
  async release(): Promise<void> {
    this.head.length = 0;
    if (this.done) return;
    this.done = true;
    await this.it.return?.();
  }

  private async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      while (this.head.length > 0) yield this.head.shift()!;
      while (!this.done) {
        const next = await this.it.next();
        if (next.done) this.done = true;
        else yield next.value;
      }
    } finally {
      await this.release();
    }
  }
}
