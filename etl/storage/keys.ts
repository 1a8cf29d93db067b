/**
 * Object keys (and byte ranges): the rules every store enforces, how keys are joined, how they sort.
 * A key is relative (no leading `/`), uses `/` between segments, and has no empty, `.` or `..`
 * segment, so it names the same object on a local folder and on S3.
 */
import { UsageError } from '../errors.js';

/** Basename prefix of a local store's in-flight temporary files; keys may not use it. */
export const TEMP_PREFIX = '.lakehouse-tmp-';

/**
 * Throw `UsageError` unless `key` is a valid object key: non-empty, relative, no NUL byte,
 * no empty, `.` or `..` segment, and no segment starting with {@link TEMP_PREFIX}.
 */
export function validateKey(key: string, where: string): void {
  const bad = (why: string): never => {
    throw new UsageError(`invalid object key ${JSON.stringify(key)} for ${where}: ${why}`);
  };
  if (typeof key !== 'string' || key.length === 0) bad('the key is empty');
  if (key.startsWith('/')) bad('keys are relative to the store root and may not start with "/"');
  if (key.includes('\0')) bad('keys may not contain NUL bytes');
  for (const segment of key.split('/')) {
    if (segment === '') bad('keys may not contain empty segments ("//" or a trailing "/")');
    if (segment === '.' || segment === '..') bad(`keys may not contain "${segment}" segments`);
    if (segment.startsWith(TEMP_PREFIX)) bad(`segments starting with "${TEMP_PREFIX}" are reserved`);
  }
}

/**
 * Join key parts with single `/`: `joinKey('a/', '/b', 'c.json')` is `a/b/c.json`. Empty parts and
 * empty segments are dropped; the result has no leading or trailing `/` (append one yourself for a
 * folder-boundary listing prefix).
 */
export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s !== '')
    .join('/');
}

/**
 * Compare two keys by Unicode code point, which is the UTF-8 byte order S3 lists in
 * (plain `<` compares UTF-16 code units and differs for characters beyond U+FFFF).
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    // A surrogate is part of a code point above U+FFFF: greater than any non-surrogate unit.
    if (sa !== sb) return sa ? 1 : -1;
    return ca - cb;
  }
  return a.length - b.length;
}

/** Throw `UsageError` unless `[start, end)` is a valid byte range. */
export function checkRange(start: number, end: number, uri: string): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new UsageError(`invalid byte range [${start}, ${end}) for ${uri}`);
  }
}
