/**
 * Moving a tree of plain data holding typed arrays (a CSV batch and its decoded columns) to another
 * thread through one reusable ArrayBuffer, the frame: every typed array is copied into the frame and
 * replaced by its place there; the frame is transferred, not cloned; the receiver gets views over it
 * and can send the frame back for the next tree. Compared with transferring the arrays' own buffers,
 * the receiving thread allocates and frees nothing per tree (no garbage-collection pressure from
 * fresh external memory), at the cost of one copy on the sending side.
 *
 * Plain objects and arrays are walked (shared objects stay shared); other values are left to
 * `postMessage` to clone. Views over the same bytes (e.g. `values` and `words` of an int64 column)
 * share the same bytes in the frame.
 */

/** A typed array's place in the frame. */
interface ViewRef {
  /** Typed array kind, e.g. `Uint32Array`. */
  $view: ViewKind;
  /** Byte offset in the frame. */
  at: number;
  /** Number of elements. */
  length: number;
}

const VIEW_KINDS = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type ViewKind = keyof typeof VIEW_KINDS;
type AnyView = InstanceType<(typeof VIEW_KINDS)[ViewKind]>;

/** Frames handed back by the receiver, reused by the sender. */
export class FramePool {
  private readonly frames: ArrayBuffer[] = [];

  /** Keeps at most `max` spare frames. */
  constructor(private readonly max = 6) {}

  /** A frame of at least `bytes` bytes: the smallest spare one that fits, else a new one with some headroom. */
  take(bytes: number): ArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.frames.length; i++) {
      const size = this.frames[i]!.byteLength;
      if (size >= bytes && (best < 0 || size < this.frames[best]!.byteLength)) best = i;
    }
    if (best >= 0) return this.frames.splice(best, 1)[0]!;
    return new ArrayBuffer(bytes + (bytes >>> 3));
  }

  /** Takes back a frame the receiver is done with. */
  give(frame: ArrayBuffer): void {
    if (frame.byteLength === 0) return; // detached
    if (this.frames.length >= this.max) this.frames.sort((a, b) => a.byteLength - b.byteLength).shift();
    this.frames.push(frame);
  }
}

/** A packed tree: the frame to transfer and the tree with typed arrays replaced by their places. */
export interface PackedFrame {
  /** The bytes of every typed array of the tree. */
  frame: ArrayBuffer;
  /** The tree, for `postMessage`. */
  tree: unknown;
}

const align8 = (n: number): number => (n + 7) & ~7;

function viewKind(value: ArrayBufferView): ViewKind {
  const tag = (value as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
  if (tag === undefined || !(tag in VIEW_KINDS)) throw new TypeError(`cannot put a ${tag ?? 'DataView'} in a transfer frame`);
  return tag as ViewKind;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Copies the typed arrays of `tree` into a frame from `pool`. */
export function packFrame(tree: unknown, pool: FramePool): PackedFrame {
  const views: { view: AnyView; at: number }[] = [];
  const placed = new Map<ArrayBufferLike, Map<string, number>>(); // buffer -> "offset:bytes" -> at
  const seen = new Map<object, unknown>();
  let size = 0;

  const walk = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const done = seen.get(value);
    if (done !== undefined) return done;
    let out: unknown;
    if (ArrayBuffer.isView(value)) {
      const view = value as AnyView;
      const key = `${view.byteOffset}:${view.byteLength}`;
      let byBuffer = placed.get(view.buffer);
      if (byBuffer === undefined) placed.set(view.buffer, (byBuffer = new Map()));
      let at = byBuffer.get(key);
      if (at === undefined) {
        at = size;
        size = align8(size + view.byteLength);
        byBuffer.set(key, at);
        views.push({ view, at });
      }
      out = { $view: viewKind(view), at, length: view.length } satisfies ViewRef;
    } else if (Array.isArray(value)) {
      const arr: unknown[] = [];
      seen.set(value, arr);
      for (const item of value) arr.push(walk(item));
      out = arr;
    } else if (isPlain(value)) {
      const obj: Record<string, unknown> = {};
      seen.set(value, obj);
      for (const [k, v] of Object.entries(value)) obj[k] = walk(v);
      out = obj;
    } else {
      throw new TypeError(`cannot put a ${value.constructor.name} in a transfer frame`);
    }
    seen.set(value, out);
    return out;
  };

  const packed = walk(tree);
  const frame = pool.take(size);
  const bytes = new Uint8Array(frame);
  for (const { view, at } of views) bytes.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), at);
  return { frame, tree: packed };
}

/** The tree `packFrame` packed, its typed arrays now views over `frame` (valid while the frame is not given back). */
export function unpackFrame(frame: ArrayBuffer, tree: unknown): unknown {
  const seen = new Map<object, unknown>();
  const walk = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    const done = seen.get(value);
    if (done !== undefined) return done;
    let out: unknown;
    if (Array.isArray(value)) {
      const arr: unknown[] = [];
      seen.set(value, arr);
      for (const item of value) arr.push(walk(item));
      out = arr;
    } else if ('$view' in value) {
      const ref = value as ViewRef;
      out = new VIEW_KINDS[ref.$view](frame, ref.at, ref.length);
    } else {
      const obj: Record<string, unknown> = {};
      seen.set(value, obj);
      for (const [k, v] of Object.entries(value)) obj[k] = walk(v);
      out = obj;
    }
    seen.set(value, out);
    return out;
  };
  return walk(tree);
}
