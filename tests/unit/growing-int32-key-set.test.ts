/** The growing int32 key set behind dedupe: a paged bitset while keys are dense, a hash set once they are not. */
import { GrowingInt32KeySet } from '../../validation/growing-int32-key-set.js';

test('dense ids: one bit a key, every key found, repeats refused', () => {
  const set = new GrowingInt32KeySet();
  let added = 0;
  for (let k = 1; k <= 1_000_000; k++) if (set.add(k)) added++;
  expect(added).toBe(1_000_000);
  expect(set.add(500_000)).toBe(false);
  expect(set.size).toBe(1_000_000);
  expect(set.byteSize).toBeLessThan(200_000);
  expect(set.has(1)).toBe(true);
  expect(set.has(1_000_000)).toBe(true);
  expect(set.has(0)).toBe(false);
  expect(set.has(1_000_001)).toBe(false);
  expect(set.has(1.5)).toBe(false);
  expect(set.has('1')).toBe(false);
});

test('negative and descending keys land in pages below the first one', () => {
  const set = new GrowingInt32KeySet();
  for (let k = 100_000; k >= -100_000; k -= 7) set.add(k);
  let found = 0;
  for (let k = 100_000; k >= -100_000; k -= 7) if (set.has(k)) found++;
  expect(found).toBe(Math.floor(200_000 / 7) + 1);
  expect(set.has(-99_999)).toBe(false);
  expect(set.size).toBe(Math.floor(200_000 / 7) + 1);
});

test('sparse keys turn the bitset into a hash set without losing a key', () => {
  const set = new GrowingInt32KeySet();
  const keys = [1, 2, 3, 2 ** 30, -(2 ** 31), 2 ** 31 - 1, 123_456_789, -5];
  for (const k of keys) expect(set.add(k)).toBe(true);
  for (let i = 0; i < 10_000; i++) set.add(i * 200_003);
  for (const k of keys) expect(set.has(k)).toBe(true);
  let found = 0;
  for (let i = 0; i < 10_000; i++) if (set.has(i * 200_003)) found++;
  expect(found).toBe(10_000);
  expect(set.add(2 ** 30)).toBe(false);
  expect(set.has(4)).toBe(false);
  expect(set.byteSize).toBeLessThan(1 << 20);
});
