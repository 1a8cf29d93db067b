/**
 * Exact-duplicate detection for datasets without a primary key: a 32-bit hash of every row's values
 * (computed column by column), and a hash -> row multimap. Equal hashes are confirmed by comparing the
 * rows value by value, so a hash collision never drops a row.
 */
import type { DecodedBatch } from './decoded-batch.js';

const P = 0x01000193;
const NULL_MARK = 0x7f4a7c15;

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, P);
}

/** The hash of each row's values (equal values give equal hashes, whatever the file's column order). */
export function rowHashes(batch: DecodedBatch): Int32Array {
  const n = batch.rowCount;
  const h = new Int32Array(n).fill(0x811c9dc5 | 0);
  const f64 = new Float64Array(1);
  const f64words = new Uint32Array(f64.buffer);
  for (const col of batch.columns) {
    const valid = col.valid;
    switch (col.kind) {
      case 'int32':
      case 'date':
      case 'bool':
        for (let r = 0; r < n; r++) h[r] = mix(h[r]!, valid[r] === 1 ? col.values[r]! : NULL_MARK);
        break;
      case 'float64':
        for (let r = 0; r < n; r++) {
          if (valid[r] !== 1) h[r] = mix(h[r]!, NULL_MARK);
          else {
            f64[0] = col.values[r]! + 0; // -0 and 0 are the same value
            h[r] = mix(mix(h[r]!, f64words[0]!), f64words[1]!);
          }
        }
        break;
      case 'int64':
      case 'timestamp':
        for (let r = 0; r < n; r++) h[r] = valid[r] === 1 ? mix(mix(h[r]!, col.words[2 * r]!), col.words[2 * r + 1]!) : mix(h[r]!, NULL_MARK);
        break;
      case 'decimal':
        for (let r = 0; r < n; r++) {
          let x = h[r]!;
          if (valid[r] !== 1) x = mix(x, NULL_MARK);
          else for (let k = 0; k < 4; k++) x = mix(x, col.values[4 * r + k]!);
          h[r] = x;
        }
        break;
      case 'string': {
        if (col.dictionary) {
          const entry = col.dictionary.dictionary.map(stringHash);
          const idx = col.dictionary.indices;
          for (let r = 0; r < n; r++) h[r] = mix(h[r]!, valid[r] === 1 ? entry[idx[r]!]! : NULL_MARK);
          break;
        }
        // Hash the field bytes inside the quotes: equal values have equal bytes (a value with a quote is
        // always quoted and escaped the same way), so this matches the dictionary path's string hash.
        const { starts, ends } = batch.csv.columns[col.field]!;
        const bytes = batch.csv.bytes;
        for (let r = 0; r < n; r++) {
          if (valid[r] !== 1) {
            h[r] = mix(h[r]!, NULL_MARK);
            continue;
          }
          let x = 0x811c9dc5;
          for (let i = starts[r]!; i < ends[r]!; i++) x = Math.imul(x ^ bytes[i]!, P);
          h[r] = mix(h[r]!, x);
        }
        break;
      }
    }
  }
  return h;
}

const encoder = new TextEncoder();

/** The byte hash of a string's UTF-8 (as `rowHashes` hashes a plain string field). */
function stringHash(s: string): number {
  let x = 0x811c9dc5;
  for (const b of encoder.encode(s)) x = Math.imul(x ^ b, P);
  return x;
}

/** A multimap from 32-bit hash to row numbers (several rows may share a hash). */
export class HashMultiIndex {
  private hashes: Int32Array;
  private rows: Int32Array;
  private mask: number;
  private count = 0;

  /** An empty index. */
  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.hashes = new Int32Array(cap);
    this.rows = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  /** Bytes held. */
  get byteSize(): number {
    return this.hashes.byteLength + this.rows.byteLength;
  }

  /** Calls `visit(row)` for each row stored under `hash` until it returns true; returns that row, or -1. */
  find(hash: number, visit: (row: number) => boolean): number {
    const mask = this.mask;
    for (let i = (Math.imul(hash, 0x9e3779b1) >>> 0) & mask; ; i = (i + 1) & mask) {
      const row = this.rows[i]!;
      if (row < 0) return -1;
      if (this.hashes[i] === hash && visit(row)) return row;
    }
  }

  /** Stores `row` under `hash`. */
  add(hash: number, row: number): void {
    if (this.count + 1 > this.rows.length * 0.75) this.grow();
    const mask = this.mask;
    let i = (Math.imul(hash, 0x9e3779b1) >>> 0) & mask;
    while (this.rows[i]! >= 0) i = (i + 1) & mask;
    this.hashes[i] = hash;
    this.rows[i] = row;
    this.count++;
  }

  private grow(): void {
    const oldH = this.hashes;
    const oldR = this.rows;
    this.hashes = new Int32Array(oldH.length * 2);
    this.rows = new Int32Array(oldR.length * 2).fill(-1);
    this.mask = this.rows.length - 1;
    this.count = 0;
    for (let i = 0; i < oldR.length; i++) if (oldR[i]! >= 0) this.add(oldH[i]!, oldR[i]!);
  }
}
