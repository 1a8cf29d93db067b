/** Paged direct-address int32 maps and the key indexes built on them: dense ids, extremes, and the switch to hashing when keys get sparse. */
import { describe, expect, test } from '@jest/globals';
import * as arrow from 'apache-arrow';
import { PAGE_SLOTS, PagedInt32Map } from '../../etl/table/paged-int32-map.js';
import { DuplicateSourceKeyError, keyPositionsFor } from '../../etl/table/key-positions.js';
import { Int32KeyIndex } from '../../validation/key-index.js';

const batchOf = (keys: number[]) => new arrow.RecordBatch({ k: arrow.makeVector(Int32Array.from(keys)).data[0]! });

describe('PagedInt32Map', () => {
  test('any int32 key, pages allocated on first use, ascending iteration, span', () => {
    const map = new PagedInt32Map();
    const keys = [-2147483648, -65537, -1, 0, 1, 65535, 65536, 2147483647];
    keys.forEach((k, i) => expect(map.set(k, i)).toBe(-1));
    keys.forEach((k, i) => expect(map.get(k)).toBe(i));
    expect(map.get(2)).toBe(-1);
    expect(map.set(1, 99)).toBe(4);
    const seen: number[] = [];
    map.forEach((k) => seen.push(k));
    expect(seen).toEqual(keys);
    expect(map.slots).toBe(6 * PAGE_SLOTS);
    expect(map.span()).toEqual({ min: -2147483648, max: 2147483647 });
  });
});

describe('key indexes on pages', () => {
  test('200,000 ascending ids stay dense (4 bytes a slot); every position is found', () => {
    const index = keyPositionsFor(['k'], [new arrow.Int32()]);
    const keys = Array.from({ length: 200_000 }, (_, i) => 1_000_000 + i);
    const replaced: number[] = [];
    index.putAll(batchOf(keys), Int32Array.from(keys, (_, i) => i), (p) => replaced.push(p));
    index.putAll(batchOf([1_000_005]), Int32Array.of(777_777), (p) => replaced.push(p));
    expect(replaced).toEqual([5]);
    expect(index.size).toBe(200_000);
    expect(index.byteSize).toBeLessThanOrEqual(4 * (200_000 + 2 * PAGE_SLOTS));
    const hits: number[] = [];
    index.matchAll(batchOf([999_999, 1_000_000, 1_199_999, 1_200_000]), (i) => hits.push(i));
    expect(hits).toEqual([1, 2]);
  });

  test('sparse keys switch to hashing without losing a key or its position, int32 min included', () => {
    const index = keyPositionsFor(['k'], [new arrow.Int32()]);
    const keys = [-2147483648, ...Array.from({ length: 5000 }, (_, i) => i * 1_000_003 - 2_000_000_000)];
    const replaced: number[] = [];
    index.putAll(batchOf(keys), Int32Array.from(keys, (_, i) => i), (p) => replaced.push(p));
    expect(index.byteSize).toBeLessThan(4 * 4 * PAGE_SLOTS); // not one page per key
    index.putAll(batchOf(keys), Int32Array.from(keys, (_, i) => i + 10_000), (p) => replaced.push(p));
    expect(replaced).toEqual(keys.map((_, i) => i));
  });

  test('Int32KeyIndex: dense then sparse, rows kept; keySet answers the same keys', () => {
    const index = new Int32KeyIndex();
    let present = 0;
    for (let k = 0; k < 100_000; k++) if (index.putIfAbsent(k, k) !== -1) present++;
    expect(present).toBe(0);
    expect(index.putIfAbsent(42, 7)).toBe(42);
    const dense = index.keySet();
    expect([dense.has(0), dense.has(99_999), dense.has(100_000), dense.has(-1)]).toEqual([true, true, false, false]);
    for (let j = 0; j < 2000; j++) index.putIfAbsent(500_000_000 + j * 791_911, 200_000 + j);
    expect(index.get(42)).toBe(42);
    expect(index.get(500_000_000 + 1999 * 791_911)).toBe(201_999);
    expect(index.size).toBe(102_000);
    const sparse = index.keySet();
    expect([sparse.has(99_999), sparse.has(500_000_000), sparse.has(500_000_001)]).toEqual([true, true, false]);
  });
});

describe('unique source keys (a bit a key)', () => {
  test('16 bits per dense key at most; matches; a repeated key is a DuplicateSourceKeyError', () => {
    const index = keyPositionsFor(['k'], [new arrow.Int32()], true);
    const keys = Array.from({ length: 300_000 }, (_, i) => 5_000_000 + i);
    index.putAll(batchOf(keys), new Int32Array(keys.length), () => undefined);
    expect(index.size).toBe(300_000);
    expect(index.byteSize).toBeLessThanOrEqual((300_000 + 2 * PAGE_SLOTS) / 8);
    const hits: number[] = [];
    index.matchAll(batchOf([4_999_999, 5_000_000, 5_299_999, 5_300_000, -5_000_000]), (i) => hits.push(i));
    expect(hits).toEqual([1, 2]);
    expect(() => index.putAll(batchOf([5_000_123]), new Int32Array(1), () => undefined)).toThrow(DuplicateSourceKeyError);
  });

  test('sparse keys move to a hash with every key kept; repeats are still caught there', () => {
    const index = keyPositionsFor(['k'], [new arrow.Int32()], true);
    const keys = [-2147483648, ...Array.from({ length: 3000 }, (_, i) => i * 1_400_000 - 2_000_000_000)];
    index.putAll(batchOf(keys.slice(0, 10)), new Int32Array(10), () => undefined);
    index.putAll(batchOf(keys.slice(10)), new Int32Array(keys.length - 10), () => undefined);
    expect(index.size).toBe(keys.length);
    const hits: number[] = [];
    index.matchAll(batchOf([keys[0]!, keys[5]!, keys[2000]!, 7]), (i) => hits.push(i));
    expect(hits).toEqual([0, 1, 2]);
    expect(() => index.putAll(batchOf([keys[1500]!]), new Int32Array(1), () => undefined)).toThrow(DuplicateSourceKeyError);
  });
});
