/**
 * Accepted rows of a dataset, held as Arrow batches until all of its files are read: a later row may
 * still supersede an accepted one (latest wins), so the output is final only at the end. Rows are
 * identified by their ordinal (position among the dataset's well-formed rows in this run).
 */
import type * as arrow from 'apache-arrow';
import { takeRows } from '../etl/arrow/take.js';
import { arrowCell, type Cell } from './cells.js';
import type { ColumnKind } from './column-kinds.js';

/** One held batch. */
interface Held {
  /** Accepted rows (contract schema); undefined once handed out. */
  batch: arrow.RecordBatch | undefined;
  /** Ordinal of each row, ascending. */
  ordinals: Uint32Array;
  /** Source line of each row. */
  lines: Uint32Array;
  /** Index of the input file. */
  file: number;
}

/** Where a held row is. */
export interface HeldRow {
  /** The batch holding it. */
  readonly batch: arrow.RecordBatch;
  /** Its index in that batch. */
  readonly index: number;
  /** Its source line. */
  readonly line: number;
  /** Index of its input file. */
  readonly file: number;
}

/** The store of accepted rows of one dataset. */
export class HeldRows {
  private readonly held: Held[] = [];
  private superseded = new Uint8Array(1024);
  private supersededCount = 0;
  private total = 0;

  /** Rows added so far, minus superseded ones. */
  get rows(): number {
    return this.total - this.supersededCount;
  }

  /** Holds a batch of accepted rows with their ordinals (ascending, past any held before) and lines. */
  add(batch: arrow.RecordBatch, ordinals: Uint32Array, lines: Uint32Array, file: number): void {
    if (batch.numRows === 0) return;
    this.held.push({ batch, ordinals, lines, file });
    this.total += batch.numRows;
  }

  /** The held row with `ordinal`, or undefined when no held row has it. */
  find(ordinal: number): HeldRow | undefined {
    const held = this.held;
    let lo = 0;
    let hi = held.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (held[mid]!.ordinals[0]! <= ordinal) lo = mid;
      else hi = mid - 1;
    }
    const h = held[lo];
    if (h === undefined || h.batch === undefined) return undefined;
    const ords = h.ordinals;
    let a = 0;
    let b = ords.length - 1;
    while (a <= b) {
      const m = (a + b) >> 1;
      const v = ords[m]!;
      if (v === ordinal) return { batch: h.batch, index: m, line: h.lines[m]!, file: h.file };
      if (v < ordinal) a = m + 1;
      else b = m - 1;
    }
    return undefined;
  }

  /** Column `c` (of type `kind`) of a held row. */
  cell(row: HeldRow, c: number, kind: ColumnKind): Cell {
    return arrowCell(row.batch.data.children[c]!, kind, row.index);
  }

  /** Marks the row with `ordinal` superseded: it will not be handed out. */
  supersede(ordinal: number): void {
    if (ordinal >> 3 >= this.superseded.length) {
      let size = this.superseded.length;
      while (ordinal >> 3 >= size) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.superseded);
      this.superseded = grown;
    }
    const bit = 1 << (ordinal & 7);
    if ((this.superseded[ordinal >> 3]! & bit) === 0) {
      this.superseded[ordinal >> 3]! |= bit;
      this.supersededCount++;
    }
  }

  private isSuperseded(ordinal: number): boolean {
    return ordinal >> 3 < this.superseded.length && (this.superseded[ordinal >> 3]! & (1 << (ordinal & 7))) !== 0;
  }

  /** Hands out the held batches without their superseded rows, releasing each as it goes. Once only. Every batch comes from one input file (`file`, its index). */
  *drain(): Generator<{ batch: arrow.RecordBatch; file: number }> {
    for (const h of this.held) {
      const batch = h.batch;
      if (batch === undefined) continue;
      h.batch = undefined;
      if (this.supersededCount === 0) {
        yield { batch, file: h.file };
        continue;
      }
      const keep: number[] = [];
      h.ordinals.forEach((o, i) => {
        if (!this.isSuperseded(o)) keep.push(i);
      });
      if (keep.length === batch.numRows) yield { batch, file: h.file };
      else if (keep.length > 0) yield { batch: takeRows(batch, Uint32Array.from(keep)), file: h.file };
    }
    this.held.length = 0;
  }
}
