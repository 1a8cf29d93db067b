/**
 * Mechanism X: every interval, the next `chunkRows` rows of the source CSV become one chunk object
 * `<raw>/transactions/chunk-<10-digit number>.csv` (header + rows, the source bytes unchanged). Resumable:
 * after each chunk it records `{nextChunk, byteOffset}`; a restart continues at that byte. A chunk is
 * written create-only, so a crash between writing a chunk and recording the position rewrites nothing
 * (the chunk's bytes are a function of the source and the position).
 */
import { AlreadyExistsError } from '../../etl/errors.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { SourceChangedError, InputFormatError } from './errors.js';
import { rangeSource, type ObjectRef } from './source-object.js';

/** Folder of the chunks inside the raw store. */
export const CHUNK_PREFIX = 'transactions/';
/** Key of the ingest position inside the state store. */
export const POSITION_KEY = 'x-position.json';
/** Rows per chunk by default. */
export const DEFAULT_CHUNK_ROWS = 10_000;

/** The chunk key of chunk number `n` (sortable). */
export function chunkKey(n: number): string {
  return `${CHUNK_PREFIX}chunk-${String(n).padStart(10, '0')}.csv`;
}

/** Where Mechanism X is in the source. */
export interface IngestPosition {
  /** Number of the next chunk to write. */
  nextChunk: number;
  /** Byte of the source where the next chunk's rows start. */
  byteOffset: number;
  /** Data rows written to chunks so far. */
  rows: number;
  /** True once the whole source is in chunks. */
  done: boolean;
  /** Source size when the position was recorded. */
  sourceSize: number;
}

/** Options of Mechanism X. */
export interface IngestOptions {
  /** The source `transactions.csv`. */
  source: ObjectRef;
  /** Raw store: chunks go to `transactions/` inside it. */
  raw: ObjectStore;
  /** Store of the ingest position. */
  state: ObjectStore;
  /** Rows per chunk (default 10,000). */
  chunkRows?: number;
  /** Wait between chunks in ms (default 1,000; 0 for none). */
  intervalMs?: number;
  /** Called after each chunk is durable (Mechanism Y listens). */
  onChunk?: (chunk: number, rows: number) => void;
  /** Stop after this many chunks in this call (tests simulate a crash). */
  maxChunks?: number;
  /** Abort between chunks. */
  signal?: AbortSignal;
}

/** Read the recorded position, or the start. */
export async function readPosition(state: ObjectStore): Promise<IngestPosition | undefined> {
  if (!(await state.head(POSITION_KEY))) return undefined;
  return JSON.parse(new TextDecoder().decode(await state.get(POSITION_KEY))) as IngestPosition;
}

const NL = 0x0a;

/** Reads whole lines from a byte offset on. */
class LineReader {
  private buf = new Uint8Array(0);
  private pieces: AsyncGenerator<Uint8Array>;
  private ended = false;
  /** Source byte of `buf[0]`. */
  offset: number;
  constructor(source: ObjectRef, start: number, size: number) {
    this.pieces = rangeSource(source, start, size);
    this.offset = start;
  }
  /** Up to `n` lines (with their line breaks; the last line of the file may lack one) and how many. */
  async take(n: number): Promise<{ bytes: Uint8Array; lines: number }> {
    let lines = 0;
    let end = 0;
    for (;;) {
      while (lines < n) {
        const i = this.buf.indexOf(NL, end);
        if (i < 0) break;
        end = i + 1;
        lines++;
      }
      if (lines === n || this.ended) break;
      const next = await this.pieces.next();
      if (next.done) this.ended = true;
      else {
        const merged = new Uint8Array(this.buf.length + next.value.length);
        merged.set(this.buf);
        merged.set(next.value, this.buf.length);
        this.buf = merged;
      }
    }
    if (this.ended && lines < n && end < this.buf.length) {
      end = this.buf.length;
      lines++;
    }
    const bytes = this.buf.slice(0, end);
    this.buf = this.buf.subarray(end);
    this.offset += end;
    return { bytes, lines };
  }
}

function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === NL || b === 0x0d || b === 0x20);
}

/** Run Mechanism X until the source is exhausted (or `maxChunks`/`signal` stop it). Resolves to the final position. */
export async function ingestChunks(options: IngestOptions): Promise<IngestPosition> {
  const { source, raw, state } = options;
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const interval = options.intervalMs ?? 1000;
  const meta = await source.store.head(source.key);
  if (!meta) throw new InputFormatError(`source ${source.store.uriOf(source.key)} does not exist`);
  const header = await new LineReader(source, 0, meta.size).take(1);
  if (header.lines === 0 || isBlank(header.bytes)) throw new InputFormatError(`source ${source.store.uriOf(source.key)} has no header`);
  let pos: IngestPosition = (await readPosition(state)) ?? { nextChunk: 0, byteOffset: header.bytes.length, rows: 0, done: false, sourceSize: meta.size };
  if (meta.size < pos.byteOffset) {
    throw new SourceChangedError(`source ${source.store.uriOf(source.key)} has ${meta.size} bytes, but ${pos.byteOffset} were already ingested: it was replaced`);
  }
  if (pos.done && meta.size === pos.sourceSize) return pos;
  const reader = new LineReader(source, pos.byteOffset, meta.size);
  let written = 0;
  for (;;) {
    if (options.signal?.aborted || (options.maxChunks !== undefined && written >= options.maxChunks)) return pos;
    const { bytes, lines } = await reader.take(chunkRows);
    if (lines === 0 || isBlank(bytes)) {
      pos = { ...pos, done: true, sourceSize: meta.size };
      await state.put(POSITION_KEY, new TextEncoder().encode(JSON.stringify(pos)));
      return pos;
    }
    const body = new Uint8Array(header.bytes.length + bytes.length + (bytes[bytes.length - 1] === NL ? 0 : 1));
    body.set(header.bytes);
    body.set(bytes, header.bytes.length);
    if (body[body.length - 1] !== NL) body[body.length - 1] = NL;
    try {
      await raw.putIfAbsent(chunkKey(pos.nextChunk), body);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      // Written before a crash, not yet recorded: same bytes, keep it.
    }
    pos = { nextChunk: pos.nextChunk + 1, byteOffset: reader.offset, rows: pos.rows + lines, done: false, sourceSize: meta.size };
    await state.put(POSITION_KEY, new TextEncoder().encode(JSON.stringify(pos)));
    written++;
    options.onChunk?.(pos.nextChunk - 1, lines);
    if (interval > 0) await new Promise((r) => setTimeout(r, interval));
  }
}
