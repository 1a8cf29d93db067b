/**
 * Dedupe within a run. With a primary key: one row is kept per key — an exact duplicate of the kept row
 * is `duplicate_row`; otherwise the row with the latest ordering value wins, ties going to the later
 * position in the input, and the loser is `duplicate_key` (even when it was accepted earlier: it is then
 * superseded). Without a primary key: rows identical to an earlier accepted row are `duplicate_row`.
 */
import { cellText, decodedCell, type Cell } from './cells.js';
import type { DatasetContract } from './define-dataset.js';
import type { DecodedBatch } from './decoded-batch.js';
import type { KeyLookup, KeyValue } from './key-lookup.js';
import { Int32KeyIndex, MapKeyIndex, type KeyIndex } from './key-index.js';
import { compositeKeyAt, keyText } from './key-values.js';
import type { FlagRow } from './row-checks.js';
import { HashMultiIndex, rowHashes } from './row-hash.js';
import type { HeldRows } from './held-rows.js';
import type { Policy } from './rules.js';

/** Where a row kept earlier is, for messages. */
export interface RowPlace {
  /** Index of its input file. */
  readonly file: number;
  /** Its source line. */
  readonly line: number;
}

/** What the dedupe step reports besides flagged rows. */
export interface DedupeEvents {
  /** An accepted row of an earlier batch lost to a newer row of its key: it must leave the output. */
  superseded(place: RowPlace, message: string): void;
  /** A row of the current batch, kept until now, lost to a newer row of its key (policy quarantine). */
  rejectNow(r: number, message: string): void;
  /** Describes a place for messages (`line 7 of file.csv`). */
  describe(place: RowPlace): string;
}

/** The rows of the current batch, as dedupe sees them. */
export interface CurrentBatch {
  /** The decoded batch. */
  readonly batch: DecodedBatch;
  /** Ordinal of its row 0. */
  readonly ordinalBase: number;
  /** Index of its input file. */
  readonly file: number;
  /** 1 for rows still accepted. */
  readonly todo: Uint8Array;
}

/** The dedupe state of one dataset over a run. */
export class Dedupe {
  private readonly keyColumns: number[];
  private readonly orderColumn: number;
  private readonly index: KeyIndex | undefined;
  private readonly hashes: HashMultiIndex | undefined;

  /** Dedupe for `contract`, reading earlier accepted rows from `held`. */
  constructor(
    private readonly contract: DatasetContract,
    private readonly held: HeldRows,
  ) {
    this.keyColumns = contract.primaryKey.map((k) => contract.column(k).index);
    this.orderColumn = contract.orderBy === undefined ? -1 : contract.column(contract.orderBy).index;
    const single = this.keyColumns.length === 1 ? contract.columns[this.keyColumns[0]!]!.spec.kind : undefined;
    if (this.keyColumns.length === 0) this.hashes = new HashMultiIndex();
    else this.index = single === 'int32' || single === 'date' ? new Int32KeyIndex() : new MapKeyIndex();
  }

  /** The primary keys kept so far (undefined without a primary key). */
  get keys(): KeyLookup | undefined {
    return this.index;
  }

  /** Bytes the dedupe index holds. */
  get byteSize(): number {
    return this.index?.byteSize ?? this.hashes?.byteSize ?? 0;
  }

  /** Runs dedupe over the rows of `cur` with `todo[r] = 1`, in input order. */
  run(cur: CurrentBatch, policy: { duplicate_row: Policy; duplicate_key: Policy }, flag: FlagRow, events: DedupeEvents): void {
    if (this.index !== undefined) this.byKey(this.index, cur, policy.duplicate_key, flag, events);
    else this.byRow(this.hashes!, cur, flag, events);
  }

  /** Cells of the row with `ordinal`: from the current batch or from the held rows. */
  private rowCells(cur: CurrentBatch, ordinal: number): { cells: Cell[]; place: RowPlace; current: number } {
    const columns = this.contract.columns;
    if (ordinal >= cur.ordinalBase) {
      const r = ordinal - cur.ordinalBase;
      return { cells: columns.map((_, c) => decodedCell(cur.batch, c, r)), place: { file: cur.file, line: cur.batch.csv.lines[r]! }, current: r };
    }
    const row = this.held.find(ordinal);
    if (row === undefined) throw new Error(`internal: accepted row ${ordinal} is not held`);
    return { cells: columns.map((col, c) => this.held.cell(row, c, col.spec.kind)), place: { file: row.file, line: row.line }, current: -1 };
  }

  private sameRow(cur: CurrentBatch, r: number, other: Cell[]): boolean {
    for (let c = 0; c < other.length; c++) if (decodedCell(cur.batch, c, r) !== other[c]) return false;
    return true;
  }

  private byKey(index: KeyIndex, cur: CurrentBatch, keyPolicy: Policy, flag: FlagRow, events: DedupeEvents): void {
    const { batch, todo, ordinalBase } = cur;
    const single = this.keyColumns.length === 1 ? batch.columns[this.keyColumns[0]!]! : undefined;
    if (index instanceof Int32KeyIndex && single !== undefined && (single.kind === 'int32' || single.kind === 'date')) {
      // Fast path: one probe per row; only rows whose key was seen before go to `resolve`.
      const values = single.values;
      const valid = single.valid;
      for (let r = 0; r < batch.rowCount; r++) {
        if (todo[r] !== 1 || valid[r] !== 1) continue;
        const w = index.putIfAbsent(values[r]!, ordinalBase + r);
        if (w >= 0) this.resolve(index, cur, r, values[r]!, w, keyPolicy, flag, events);
      }
      return;
    }
    for (let r = 0; r < batch.rowCount; r++) {
      if (todo[r] !== 1) continue;
      const key = compositeKeyAt(batch, this.keyColumns, r);
      if (key === null) continue;
      const w = index.get(key);
      if (w < 0) index.set(key, ordinalBase + r);
      else this.resolve(index, cur, r, key, w, keyPolicy, flag, events);
    }
  }

  /** Row `r` has the key of the kept row `w`: decide which one stays. */
  private resolve(index: KeyIndex, cur: CurrentBatch, r: number, key: KeyValue, w: number, keyPolicy: Policy, flag: FlagRow, events: DedupeEvents): void {
    const { batch, todo, ordinalBase } = cur;
    const pk = this.contract.primaryKey;
    const oc = this.orderColumn;
    const orderName = this.contract.orderBy;
    const orderKind = oc >= 0 ? this.contract.columns[oc]!.spec.kind : 'int32';
    const kept = this.rowCells(cur, w);
    const keyDesc = keyText(pk, key);
    if (this.sameRow(cur, r, kept.cells)) {
      flag('duplicate_row', r, undefined, () => `exact duplicate of ${events.describe(kept.place)} (${keyDesc})`);
      return;
    }
    const mine = oc >= 0 ? decodedCell(batch, oc, r) : null;
    const theirs = oc >= 0 ? kept.cells[oc]! : null;
    const cmp = oc < 0 ? 0 : compareCells(mine, theirs);
    const why = (later: Cell, earlier: Cell): string =>
      oc < 0
        ? 'it comes later in the input'
        : cmp === 0
          ? `same ${orderName} ${cellText(orderKind, later)}, and it comes later in the input`
          : `later ${orderName} ${cellText(orderKind, later)} > ${cellText(orderKind, earlier)}`;
    if (cmp < 0) {
      // This row is older than the kept one: it loses.
      flag('duplicate_key', r, pk.join(', '), () => `${keyDesc}: ${events.describe(kept.place)} wins (${why(theirs, mine)})`);
      return;
    }
    // This row wins; the kept one loses.
    if (keyPolicy === 'warn' || keyPolicy === 'fail') {
      flag('duplicate_key', r, pk.join(', '), () => `${keyDesc} was already kept from ${events.describe(kept.place)}; this row is newer (${why(mine, theirs)})`);
    } else {
      const here: RowPlace = { file: cur.file, line: batch.csv.lines[r]! };
      const message = `${keyDesc}: superseded by ${events.describe(here)} (${why(mine, theirs)})`;
      if (kept.current >= 0) events.rejectNow(kept.current, message);
      else {
        this.held.supersede(w);
        events.superseded(kept.place, message);
      }
    }
    if (todo[r] === 1) index.set(key, ordinalBase + r);
  }

  private byRow(hashes: HashMultiIndex, cur: CurrentBatch, flag: FlagRow, events: DedupeEvents): void {
    const { batch, todo, ordinalBase } = cur;
    const h = rowHashes(batch);
    let probe = 0;
    let place: RowPlace | undefined;
    const visit = (ordinal: number): boolean => {
      const kept = this.rowCells(cur, ordinal);
      if (!this.sameRow(cur, probe, kept.cells)) return false;
      place = kept.place;
      return true;
    };
    for (let r = 0; r < batch.rowCount; r++) {
      if (todo[r] !== 1) continue;
      probe = r;
      if (hashes.find(h[r]!, visit) < 0) {
        hashes.add(h[r]!, ordinalBase + r);
        continue;
      }
      const original = place!;
      flag('duplicate_row', r, undefined, () => `exact duplicate of ${events.describe(original)}`);
    }
  }
}

/** Orders cells of one column: null first, then by value. */
function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
