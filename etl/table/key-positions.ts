/**
 * Key -> position maps for upserts, without a JS object per key where it matters: a single integer key
 * column of at most 32 bits (ids, dates) is held in typed arrays — direct addressing while the keys fill
 * a dense range (4 bytes a slot), an open-addressing table otherwise (8 bytes a slot); any other key is
 * a string in a JS Map (see `rowKeyReader`).
 */
import * as arrow from 'apache-arrow';
import { LakehouseError } from '../errors.js';
import { PagedInt32Bits } from './paged-int32-bits.js';
import { PAGE_SLOTS, PagedInt32Map } from './paged-int32-map.js';
import { rowKeyReader } from './row-keys.js';
import { takeRows } from '../arrow/take.js';

/** A map from row key to a non-negative int32 position, filled batch by batch. */
export interface KeyPositions {
  /** Number of distinct keys. */
  readonly size: number;
  /** Bytes held (typed arrays; an estimate for a Map). */
  readonly byteSize: number;
  /**
   * Stores `positions[i]` for the key of row `i` of `batch`, rows in order; for a key already present,
   * calls `replaced(previous)` with the position it had.
   */
  putAll(batch: arrow.RecordBatch, positions: Int32Array, replaced: (previous: number) => void): void;
  /** Calls `hit(i)` for each row `i` of `batch` whose key is present. */
  matchAll(batch: arrow.RecordBatch, hit: (row: number) => void): void;
}

/** The rows of `batch` whose key is not in `index`, and how many were: `kept` is `batch` itself when none matched, absent when all did. */
export function withoutIndexedKeys(batch: arrow.RecordBatch, index: KeyPositions): { kept?: arrow.RecordBatch; matched: number } {
  const hit = new Uint8Array(batch.numRows);
  let matched = 0;
  index.matchAll(batch, (i) => {
    hit[i] = 1;
    matched++;
  });
  if (matched === 0) return { kept: batch, matched };
  if (matched === batch.numRows) return { matched };
  const keep = new Uint32Array(batch.numRows - matched);
  for (let i = 0, k = 0; i < batch.numRows; i++) if (hit[i] === 0) keep[k++] = i;
  return { kept: takeRows(batch, keep), matched };
}

/**
 * A `KeyPositions` for key columns `keys` of types `types` (the table's). With `unique` (the caller
 * guarantees no key repeats, e.g. validated rows deduplicated on these keys) a single small-integer key
 * is held as one bit a slot while dense (positions are not kept: nothing can be replaced), and a repeated
 * key is a `DuplicateSourceKeyError` instead of a replacement.
 */
export function keyPositionsFor(keys: string[], types: arrow.DataType[], unique = false): KeyPositions {
  const t = types[0];
  if (keys.length === 1 && t !== undefined && isSmallInt(t)) return unique ? new UniqueIntKeys(keys[0]!) : new IntKeyPositions(keys[0]!);
  return new StringKeyPositions(keys, types, unique);
}

/** A source promised unique on its keys repeated one (a bug in the caller: nothing is committed). */
export class DuplicateSourceKeyError extends LakehouseError {
  constructor() {
    super('internal', 'terminal', 'a merge source declared unique on its keys holds a key twice');
  }
}

/** Int8/16/32, Uint8/16 and date-as-days columns: values fit an int32 and compare as numbers. */
function isSmallInt(type: arrow.DataType): boolean {
  if (arrow.DataType.isInt(type)) return type.bitWidth < 32 || (type.bitWidth === 32 && type.isSigned);
  return arrow.DataType.isDate(type) && type.unit === arrow.DateUnit.DAY;
}

const EMPTY = -2147483648;
/** A dense index may always hold this many slots, however few keys it has. */
const DENSE_MIN_SLOTS = 4 * PAGE_SLOTS;
const DENSE_SLOTS_PER_KEY = 4;

/** Positions of a single small-integer key column, in typed arrays. */
class IntKeyPositions implements KeyPositions {
  private dense = true;
  private pages = new PagedInt32Map();
  private table = new Int32Array(0); // [key, position] pairs; key EMPTY when free
  private mask = 0;
  private count = 0;
  private nullPosition = -1; // null keys are one key, as in `rowKeyReader`
  private minPosition = -1; // the key int32 min (the empty marker)

  constructor(private readonly column: string) {}

  get size(): number {
    return this.count + (this.nullPosition >= 0 ? 1 : 0) + (this.minPosition >= 0 ? 1 : 0);
  }

  get byteSize(): number {
    return this.pages.byteSize + this.table.byteLength;
  }

  putAll(batch: arrow.RecordBatch, positions: Int32Array, replaced: (previous: number) => void): void {
    const { values, valid } = this.read(batch);
    for (let i = 0; i < batch.numRows; i++) {
      const previous = valid !== undefined && !valid(i) ? this.putNull(positions[i]!) : this.put(values[i]!, positions[i]!);
      if (previous >= 0) replaced(previous);
    }
  }

  matchAll(batch: arrow.RecordBatch, hit: (row: number) => void): void {
    if (this.size === 0) return;
    const { values, valid } = this.read(batch);
    for (let i = 0; i < batch.numRows; i++) {
      const found = valid !== undefined && !valid(i) ? this.nullPosition >= 0 : this.get(values[i]!) >= 0;
      if (found) hit(i);
    }
  }

  private read(batch: arrow.RecordBatch): { values: ArrayLike<number>; valid: ((i: number) => boolean) | undefined } {
    const data = batch.getChild(this.column)!.data[0]!;
    const values = (data.values as Int32Array).subarray(0, data.length); // Arrow slices a fixed-width buffer with the data: no offset to add
    return { values, valid: data.nullCount > 0 ? (i) => data.getValid(i) : undefined };
  }

  private putNull(position: number): number {
    const previous = this.nullPosition;
    this.nullPosition = position;
    return previous;
  }

  /** Stores `position` for `key`; returns the position it had, or -1. */
  put(key: number, position: number): number {
    if (this.dense) {
      if (this.pages.hasPage(key) || this.pages.slots + PAGE_SLOTS <= Math.max(DENSE_MIN_SLOTS, DENSE_SLOTS_PER_KEY * (this.count + 1))) {
        const previous = this.pages.set(key, position);
        if (previous < 0) this.count++;
        return previous;
      }
      this.toHash();
    }
    if (key === EMPTY) {
      const previous = this.minPosition;
      this.minPosition = position;
      return previous;
    }
    if (this.count + 1 > (this.table.length >> 1) * 0.75) this.grow();
    const i = this.slot(key);
    const table = this.table;
    if (table[2 * i] === key) {
      const previous = table[2 * i + 1]!;
      table[2 * i + 1] = position;
      return previous;
    }
    table[2 * i] = key;
    table[2 * i + 1] = position;
    this.count++;
    return -1;
  }

  private get(key: number): number {
    if (this.dense) return this.pages.get(key);
    if (key === EMPTY) return this.minPosition;
    const i = this.slot(key);
    return this.table[2 * i] === key ? this.table[2 * i + 1]! : -1;
  }

  /** Turns the paged direct-address form into the hash form (the keys got too sparse for it). */
  private toHash(): void {
    const old = this.pages;
    const keys = this.count;
    this.dense = false;
    this.pages = new PagedInt32Map();
    this.count = 0;
    this.allocate(Math.max(16, nextPow2(Math.ceil((keys + 1) / 0.75) + 1)));
    old.forEach((key, position) => this.put(key, position));
  }

  private slot(key: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let i = (Math.imul(key, 0x9e3779b1) >>> 0) & mask; ; i = (i + 1) & mask) {
      const k = table[2 * i]!;
      if (k === key || k === EMPTY) return i;
    }
  }

  private allocate(slots: number): void {
    this.table = new Int32Array(2 * slots);
    for (let i = 0; i < 2 * slots; i += 2) this.table[i] = EMPTY;
    this.mask = slots - 1;
  }

  private grow(): void {
    const old = this.table;
    this.allocate(Math.max(16, old.length)); // twice the slots
    this.count = 0;
    for (let j = 0; j < old.length; j += 2) if (old[j] !== EMPTY) this.put(old[j]!, old[j + 1]!);
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The keys of a source unique on one small-integer key column: bits in 65,536-bit pages while dense
 * (16 million dense ids: 2 MiB), a `IntKeyPositions` hash once sparse (positions are not kept).
 */
class UniqueIntKeys implements KeyPositions {
  // A new page costs 8 KiB: worth it while the keys fill at least 1 in 16 of the pages' slots.
  private readonly bits = new PagedInt32Bits(16);
  private sparse: IntKeyPositions | undefined;

  constructor(private readonly column: string) {}

  get size(): number {
    return this.sparse ? this.sparse.size : this.bits.size;
  }

  get byteSize(): number {
    return this.sparse ? this.sparse.byteSize : this.bits.byteSize;
  }

  putAll(batch: arrow.RecordBatch, positions: Int32Array): void {
    const duplicate = (): void => {
      throw new DuplicateSourceKeyError();
    };
    if (this.sparse) return this.sparse.putAll(batch, positions, duplicate);
    const data = batch.getChild(this.column)!.data[0]!;
    if (data.nullCount > 0) return this.toSparse(batch, positions); // a null key: keep it the general way
    const values = (data.values as Int32Array).subarray(0, data.length); // Arrow slices a fixed-width buffer with the data: no offset to add
    for (let i = 0; i < values.length; i++) {
      const added = this.bits.add(values[i]!);
      if (added === undefined) return this.toSparse(batch, positions, i);
      if (!added) duplicate();
    }
  }

  matchAll(batch: arrow.RecordBatch, hit: (row: number) => void): void {
    if (this.sparse) return this.sparse.matchAll(batch, hit);
    if (this.bits.size === 0) return;
    const data = batch.getChild(this.column)!.data[0]!;
    const values = (data.values as Int32Array).subarray(0, data.length); // Arrow slices a fixed-width buffer with the data: no offset to add
    for (let i = 0; i < values.length; i++) {
      if (data.nullCount > 0 && !data.getValid(i)) continue;
      if (this.bits.has(values[i]!)) hit(i);
    }
  }

  /** Moves every key to a hash (positions are not kept: 0 stands in), then adds rows `from..` of `batch`. */
  private toSparse(batch: arrow.RecordBatch, positions: Int32Array, from = 0): void {
    const sparse = new IntKeyPositions(this.column);
    this.bits.forEach((key) => sparse.put(key, 0));
    const fail = (): void => {
      throw new DuplicateSourceKeyError();
    };
    this.bits.clear();
    this.sparse = sparse;
    const rest = from === 0 ? batch : batch.slice(from);
    sparse.putAll(rest, positions.subarray(from), fail);
  }
}

/** Positions of any key, as strings in a Map. */
class StringKeyPositions implements KeyPositions {
  private readonly map = new Map<string, number>();

  constructor(
    private readonly keys: string[],
    private readonly types: arrow.DataType[],
    private readonly unique = false,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get byteSize(): number {
    return this.map.size * 64;
  }

  putAll(batch: arrow.RecordBatch, positions: Int32Array, replaced: (previous: number) => void): void {
    const keyOf = rowKeyReader(batch, this.keys, this.types);
    for (let i = 0; i < batch.numRows; i++) {
      const key = keyOf(i);
      const previous = this.map.get(key);
      this.map.set(key, positions[i]!);
      if (previous !== undefined) {
        if (this.unique) throw new DuplicateSourceKeyError();
        replaced(previous);
      }
    }
  }

  matchAll(batch: arrow.RecordBatch, hit: (row: number) => void): void {
    if (this.map.size === 0) return;
    const keyOf = rowKeyReader(batch, this.keys, this.types);
    for (let i = 0; i < batch.numRows; i++) if (this.map.has(keyOf(i))) hit(i);
  }
}
