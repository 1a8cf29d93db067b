/** Byte sources for `openCsv`: a file on disk, or bytes/text already in memory (handy in tests). */
import { createReadStream } from 'node:fs';

/** Default read size for files: large reads keep per-chunk overhead negligible. */
export const DEFAULT_FILE_CHUNK = 1 << 20;

/** Streams the file at `path` in chunks of `chunkSize` bytes (gzip is detected later by `openCsv`). */
export async function* fileSource(path: string, chunkSize: number = DEFAULT_FILE_CHUNK): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}

/**
 * Serves `data` (text is encoded as UTF-8) as a source, cut into chunks of `chunkSize` bytes,
 * or at the given cut positions when `chunkSize` is an array of offsets.
 */
export async function* bytesSource(data: Uint8Array | string, chunkSize: number | readonly number[] = DEFAULT_FILE_CHUNK): AsyncGenerator<Uint8Array> {
  for (const chunk of splitBytes(data, chunkSize)) yield chunk;
}

/** The chunks `bytesSource` yields, synchronously: by size, or at the given cut offsets. */
export function splitBytes(data: Uint8Array | string, chunkSize: number | readonly number[]): Uint8Array[] {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const out: Uint8Array[] = [];
  if (typeof chunkSize === 'number') {
    const step = Math.max(1, Math.floor(chunkSize));
    for (let off = 0; off < bytes.length; off += step) out.push(bytes.subarray(off, Math.min(bytes.length, off + step)));
    return out;
  }
  let prev = 0;
  for (const cut of chunkSize) {
    const at = Math.min(Math.max(cut, prev), bytes.length);
    out.push(bytes.subarray(prev, at));
    prev = at;
  }
  out.push(bytes.subarray(prev));
  return out;
}
