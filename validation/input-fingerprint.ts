/**
 * Fingerprints of raw files (byte count and CRC-32 of the bytes as stored), taken while a file is read:
 * the accepted rows are read a second time when they are handed out, and a file that changed between
 * the two reads must not slip unvalidated rows through.
 */
import { crc32 } from 'node:zlib';

/** What a file's bytes looked like when read. */
export interface Fingerprint {
  /** Bytes read. */
  bytes: number;
  /** CRC-32 of those bytes. */
  crc: number;
}

/** A fresh fingerprint to fill with `fingerprinted`. */
export function emptyFingerprint(): Fingerprint {
  return { bytes: 0, crc: 0 };
}

/** Passes `source` through, adding every chunk to `into`. */
export async function* fingerprinted(source: AsyncIterable<Uint8Array>, into: Fingerprint): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    into.bytes += chunk.byteLength;
    into.crc = crc32(chunk, into.crc);
    yield chunk;
  }
}

/** True when both fingerprints saw the same bytes. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.bytes === b.bytes && a.crc === b.crc;
}
