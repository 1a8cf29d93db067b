/**
 * Dedupe within a run. With a primary key: one row is kept per key — an exact duplicate of the kept row
 * is `duplicate_row`; otherwise the row with the latest ordering value wins, ties going to the later
 * position in the input, and the loser is `duplicate_key` (even when it was accepted earlier: it is then
 * superseded). Without a primary key: rows identical to an earlier accepted row are `duplicate_row`.
 *
 * Accepted rows are not held in memory: a row whose key (or row hash) was kept in an earlier batch joins
 * a contest (`contests.ts`), decided by `settle` at the end of the dataset from the rows read again.
 */
import { cellText, decodedCell, type Cell } from './cells.js';
import type { ColumnKind } from './column-kinds.js';
import { Contests } from './contests.js';
import type { DatasetContract } from './define-dataset.js';
import type { DecodedBatch } from './decoded-batch.js';
import type { KeyLookup, KeyValue } from './key-lookup.js';
import { GrowingInt32KeySet } from './growing-int32-key-set.js';
import { Int32KeyIndex, MapKeyIndex, type KeyIndex } from './key-index.js';
import { compositeKeyAt, keyOfCells, keyText } from './key-values.js';
import type { FlagRow } from './row-checks.js';
import { HashMultiIndex, rowHashes } from './row-hash.js';
import type { Policy, RuleCode } from './rules.js';

/** Where a row kept earlier is, for messages. */
export interface RowPlace {
  /** Index of its input file. */
  readonly file: number;
  /** Its source line. */
  readonly line: number;
}

/** What the dedupe step reports besides flagged rows. */
export interface DedupeEvents {
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

/** A contested row, read again: its cells (contract order) and place. */
export interface SettledRow {
  /** The row's cells. */
  readonly cells: readonly Cell[];
  /** Where it is. */
  readonly place: RowPlace;
}

/** How `settle` applies its decisions to rows accepted so far. */
export interface SettleEffects {
  /** Row `ordinal` fails `rule`: apply the rule's policy. Returns true when the row stays accepted (warn). */
  flag(rule: RuleCode, ordinal: number, column: string | undefined, message: string): boolean;
  /** The accepted row `ordinal` lost to a newer row of its key: it leaves the output as `duplicate_key`. */
  supersede(ordinal: number, message: string): void;
  /** Describes a place for messages. */
  describe(place: RowPlace): string;
}

/** The outcome of comparing a row with the row kept for its key. */
type Verdict =
  | { kind: 'same'; message: string }
  | { kind: 'older'; message: string }
  | { kind: 'newer'; flagMessage: string; supersedeMessage: string };

/** The dedupe state of one dataset over a run. */
export class Dedupe {
  private readonly keyColumns: number[];
  private readonly orderColumn: number;
  private readonly kinds: ColumnKind[];
  private readonly index: KeyIndex | undefined;
  /**
   * Instead of `index`, for one int32/date key when neither duplicate policy is `warn`: only the keys
   * seen (a bit a key for ids), no row numbers. Under those policies exactly one accepted row holds a
   * key until a later batch repeats it, so that row can be found again when the contest is settled.
   */
  private readonly seen: GrowingInt32KeySet | undefined;
  private readonly hashes: HashMultiIndex | undefined;
  /** Rows waiting for a row of an earlier batch (by key, or by row hash without a primary key). */
  readonly contests = new Contests();
  /** Keys of contests opened without the earlier row's ordinal (`seen` mode): see `placeEarlier`. */
  readonly earlierUnknown = new Set<number>();

  /** Dedupe for `contract`. */
  constructor(private readonly contract: DatasetContract) {
    this.keyColumns = contract.primaryKey.map((k) => contract.column(k).index);
    this.orderColumn = contract.orderBy === undefined ? -1 : contract.column(contract.orderBy).index;
    this.kinds = contract.columns.map((c) => c.spec.kind);
    const single = this.keyColumns.length === 1 ? contract.columns[this.keyColumns[0]!]!.spec.kind : undefined;
    const noWarn = contract.policies.duplicate_key !== 'warn' && contract.policies.duplicate_row !== 'warn';
    if (this.keyColumns.length === 0) this.hashes = new HashMultiIndex();
    else if ((single === 'int32' || single === 'date') && noWarn) this.seen = new GrowingInt32KeySet();
    else this.index = single === 'int32' || single === 'date' ? new Int32KeyIndex() : new MapKeyIndex();
  }

  /** The primary keys kept so far (undefined without a primary key). */
  get keys(): KeyLookup | undefined {
    return this.index ?? this.seen;
  }

  /** The primary keys kept, as a compact set, once every row is decided (undefined without a primary key). */
  keySet(): KeyLookup | undefined {
    if (this.seen) return this.seen;
    return this.index instanceof Int32KeyIndex ? this.index.keySet() : this.index;
  }

  /** Bytes the dedupe index holds. */
  get byteSize(): number {
    return this.index?.byteSize ?? this.seen?.byteSize ?? this.hashes?.byteSize ?? 0;
  }

  /** Runs dedupe over the rows of `cur` with `todo[r] = 1`, in input order. */
  run(cur: CurrentBatch, policy: { duplicate_row: Policy; duplicate_key: Policy }, flag: FlagRow, events: DedupeEvents): void {
    if (this.seen !== undefined) this.bySeenKey(this.seen, cur, policy.duplicate_key, flag, events);
    else if (this.index !== undefined) this.byKey(this.index, cur, policy.duplicate_key, flag, events);
    else this.byRow(this.hashes!, cur, flag, events);
  }

  /** The column of the int32/date primary key (`seen` mode). */
  get keyColumn(): number {
    return this.keyColumns[0]!;
  }

  /**
   * Puts the earlier row of a contest opened without it (`earlierUnknown`): `ordinal` is the one
   * accepted row of `key` before the contest's first row. Call once per such key before `settle`.
   */
  placeEarlier(key: number, ordinal: number): void {
    if (!this.earlierUnknown.delete(key)) throw new Error(`internal: no contest of key ${key} waits for its earlier row`);
    this.contests.prepend(key, ordinal);
  }

  /**
   * Decides every contest, in input order within each group, from the contested rows read again
   * (`rows` holds every ordinal of `contests.ordinals()`).
   */
  settle(rows: ReadonlyMap<number, SettledRow>, keyPolicy: Policy, effects: SettleEffects): void {
    const pk = this.contract.primaryKey;
    const row = (o: number): SettledRow => {
      const r = rows.get(o);
      if (r === undefined) throw new Error(`internal: contested row ${o} was not read again`);
      return r;
    };
    for (const group of this.contests.values()) {
      if (this.keyColumns.length === 0) {
        const kept: SettledRow[] = [];
        for (const o of group) {
          const mine = row(o);
          const same = kept.find((k) => sameCells(mine.cells, k.cells));
          if (same === undefined) kept.push(mine);
          else effects.flag('duplicate_row', o, undefined, `exact duplicate of ${effects.describe(same.place)}`);
        }
        continue;
      }
      let keptOrdinal = group[0]!;
      for (const o of group.slice(1)) {
        const mine = row(o);
        const kept = row(keptOrdinal);
        const key = keyOfCells(mine.cells, this.kinds, this.keyColumns);
        const v = this.judge(mine.cells, mine.place, kept.cells, kept.place, keyText(pk, key), effects.describe);
        let stays = true;
        if (v.kind === 'same') stays = effects.flag('duplicate_row', o, undefined, v.message);
        else if (v.kind === 'older') stays = effects.flag('duplicate_key', o, pk.join(', '), v.message);
        else if (keyPolicy === 'warn' || keyPolicy === 'fail') stays = effects.flag('duplicate_key', o, pk.join(', '), v.flagMessage);
        else effects.supersede(keptOrdinal, v.supersedeMessage);
        if (v.kind === 'newer' && stays) keptOrdinal = o;
      }
    }
  }

  /** Compares a row with the row kept for its key: identical, older (it loses) or newer (it wins). */
  private judge(mine: readonly Cell[], here: RowPlace, theirs: readonly Cell[], there: RowPlace, keyDesc: string, describe: (p: RowPlace) => string): Verdict {
    if (sameCells(mine, theirs)) return { kind: 'same', message: `exact duplicate of ${describe(there)} (${keyDesc})` };
    const oc = this.orderColumn;
    const orderName = this.contract.orderBy;
    const orderKind = oc >= 0 ? this.contract.columns[oc]!.spec.kind : 'int32';
    const a = oc >= 0 ? mine[oc]! : null;
    const b = oc >= 0 ? theirs[oc]! : null;
    const cmp = oc < 0 ? 0 : compareCells(a, b);
    const why = (later: Cell, earlier: Cell): string =>
      oc < 0
        ? 'it comes later in the input'
        : cmp === 0
          ? `same ${orderName} ${cellText(orderKind, later)}, and it comes later in the input`
          : `later ${orderName} ${cellText(orderKind, later)} > ${cellText(orderKind, earlier)}`;
    if (cmp < 0) return { kind: 'older', message: `${keyDesc}: ${describe(there)} wins (${why(b, a)})` };
    return {
      kind: 'newer',
      flagMessage: `${keyDesc} was already kept from ${describe(there)}; this row is newer (${why(a, b)})`,
      supersedeMessage: `${keyDesc}: superseded by ${describe(here)} (${why(a, b)})`,
    };
  }

  private cellsOf(cur: CurrentBatch, r: number): Cell[] {
    return this.contract.columns.map((_, c) => decodedCell(cur.batch, c, r));
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

  /** Row `r` has the key of the kept row `w`: decide which one stays, or wait when `w` is of an earlier batch. */
  private resolve(index: KeyIndex, cur: CurrentBatch, r: number, key: KeyValue, w: number, keyPolicy: Policy, flag: FlagRow, events: DedupeEvents): void {
    const { ordinalBase } = cur;
    const contests = this.contests;
    if (contests.has(key)) return contests.join(key, ordinalBase + r);
    if (w < ordinalBase) return contests.open(key, [w], ordinalBase + r);
    if (this.decideInBatch(cur, r, key, w - ordinalBase, keyPolicy, flag, events)) index.set(key, ordinalBase + r);
  }

  /** Row `r` has the key of row `kept` of the same batch: decides which stays; true when `r` is now the kept row. */
  private decideInBatch(cur: CurrentBatch, r: number, key: KeyValue, kept: number, keyPolicy: Policy, flag: FlagRow, events: DedupeEvents): boolean {
    const { batch, todo, file } = cur;
    const pk = this.contract.primaryKey;
    const keptPlace: RowPlace = { file, line: batch.csv.lines[kept]! };
    const here: RowPlace = { file, line: batch.csv.lines[r]! };
    const v = this.judge(this.cellsOf(cur, r), here, this.cellsOf(cur, kept), keptPlace, keyText(pk, key), events.describe);
    if (v.kind === 'same') {
      flag('duplicate_row', r, undefined, () => v.message);
      return false;
    }
    if (v.kind === 'older') {
      flag('duplicate_key', r, pk.join(', '), () => v.message);
      return false;
    }
    if (keyPolicy === 'warn' || keyPolicy === 'fail') flag('duplicate_key', r, pk.join(', '), () => v.flagMessage);
    else events.rejectNow(kept, v.supersedeMessage);
    return todo[r] === 1;
  }

  /**
   * `byKey` with only the set of keys seen: a repeat within the batch is found in a map of the batch's
   * kept rows (built at the batch's first repeat); a repeat of a key of an earlier batch opens a contest
   * whose earlier row is found again when it is settled (`placeEarlier`).
   */
  private bySeenKey(seen: GrowingInt32KeySet, cur: CurrentBatch, keyPolicy: Policy, flag: FlagRow, events: DedupeEvents): void {
    const { batch, todo, ordinalBase } = cur;
    const col = batch.columns[this.keyColumns[0]!]!;
    if (col.kind !== 'int32' && col.kind !== 'date') throw new Error(`internal: key column of kind ${col.kind} in int32 dedupe`);
    const values = col.values;
    const valid = col.valid;
    const contests = this.contests;
    let local: Map<number, number> | undefined;
    for (let r = 0; r < batch.rowCount; r++) {
      if (todo[r] !== 1 || valid[r] !== 1) continue;
      const key = values[r]!;
      if (seen.add(key)) {
        local?.set(key, r);
        continue;
      }
      if (contests.has(key)) {
        contests.join(key, ordinalBase + r);
        continue;
      }
      local ??= this.keptInBatch(cur, values, valid, r);
      const kept = local.get(key);
      if (kept === undefined) {
        contests.open(key, [], ordinalBase + r);
        this.earlierUnknown.add(key);
      } else if (this.decideInBatch(cur, r, key, kept, keyPolicy, flag, events)) local.set(key, r);
    }
  }

  /** The rows before `end` of the batch kept for keys first seen in it (key -> row). */
  private keptInBatch(cur: CurrentBatch, values: Int32Array, valid: Uint8Array, end: number): Map<number, number> {
    const kept = new Map<number, number>();
    for (let r = 0; r < end; r++) {
      if (cur.todo[r] !== 1 || valid[r] !== 1 || this.contests.has(values[r]!)) continue;
      kept.set(values[r]!, r);
    }
    return kept;
  }

  private byRow(hashes: HashMultiIndex, cur: CurrentBatch, flag: FlagRow, events: DedupeEvents): void {
    const { batch, todo, ordinalBase, file } = cur;
    const contests = this.contests;
    const h = rowHashes(batch);
    const seen: number[] = [];
    const collect = (ordinal: number): boolean => {
      seen.push(ordinal);
      return false;
    };
    for (let r = 0; r < batch.rowCount; r++) {
      if (todo[r] !== 1) continue;
      const hash = h[r]!;
      if (contests.has(hash)) {
        contests.join(hash, ordinalBase + r);
        continue;
      }
      seen.length = 0;
      hashes.find(hash, collect);
      if (seen.length === 0) {
        hashes.add(hash, ordinalBase + r);
        continue;
      }
      if (seen.some((o) => o < ordinalBase)) {
        contests.open(hash, seen.sort((a, b) => a - b), ordinalBase + r);
        continue;
      }
      const mine = this.cellsOf(cur, r);
      const same = seen.find((o) => sameCells(mine, this.cellsOf(cur, o - ordinalBase)));
      if (same === undefined) {
        hashes.add(hash, ordinalBase + r);
        continue;
      }
      const original: RowPlace = { file, line: batch.csv.lines[same - ordinalBase]! };
      flag('duplicate_row', r, undefined, () => `exact duplicate of ${events.describe(original)}`);
    }
  }
}

function sameCells(a: readonly Cell[], b: readonly Cell[]): boolean {
  for (let c = 0; c < a.length; c++) if (a[c] !== b[c]) return false;
  return true;
}

/** Orders cells of one column: null first, then by value. */
function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
