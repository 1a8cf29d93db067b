/** Transfer frames: typed arrays packed into one buffer and read back as views, with sharing kept and frames reused. */
import { FramePool, packFrame, unpackFrame } from '../../validation/transfer-frame.js';

describe('packFrame / unpackFrame', () => {
  it('gives back equal data whose typed arrays are views over the frame', () => {
    const values = new BigInt64Array([1n, -2n, 3n]);
    const big = new Uint8Array(100).map((_, i) => i);
    const tree = {
      name: 'x',
      n: 3,
      none: undefined,
      list: [new Int32Array([7, 8]), 'text', null],
      bytes: big.subarray(10, 20),
      values,
      words: new Uint32Array(values.buffer),
      nested: { f: new Float64Array([0.5]), u16: new Uint16Array([65535]) },
    };
    const { frame, tree: packed } = packFrame(tree, new FramePool());
    const copy = structuredClone({ frame, packed }, { transfer: [frame] });
    const out = unpackFrame(copy.frame, copy.packed) as typeof tree;
    expect(out).toEqual(tree);
    expect(out.bytes.buffer).toBe(copy.frame);
    expect(out.bytes.length).toBe(10);
    expect(out.words.buffer).toBe(out.values.buffer);
    out.words[0] = 42; // values and words still share their bytes
    expect(out.values[0]).toBe(42n);
  });

  it('keeps an object reached twice as one object', () => {
    const shared = { a: new Uint8Array([1]) };
    const { frame, tree } = packFrame({ x: shared, y: { inner: shared } }, new FramePool());
    const out = unpackFrame(frame, tree) as { x: unknown; y: { inner: unknown } };
    expect(out.y.inner).toBe(out.x);
  });

  it('refuses values it cannot rebuild', () => {
    expect(() => packFrame({ d: new DataView(new ArrayBuffer(4)) }, new FramePool())).toThrow(TypeError);
    expect(() => packFrame({ m: new Map() }, new FramePool())).toThrow(TypeError);
  });
});

describe('FramePool', () => {
  it('reuses the smallest spare frame that fits, and allocates with headroom otherwise', () => {
    const pool = new FramePool(2);
    const small = new ArrayBuffer(100);
    const large = new ArrayBuffer(1000);
    pool.give(large);
    pool.give(small);
    expect(pool.take(50)).toBe(small);
    expect(pool.take(50)).toBe(large);
    const fresh = pool.take(800);
    expect(fresh.byteLength).toBeGreaterThanOrEqual(800);
  });

  it('keeps at most its maximum, dropping the smallest', () => {
    const pool = new FramePool(2);
    const [a, b, c] = [new ArrayBuffer(10), new ArrayBuffer(20), new ArrayBuffer(30)];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.take(5)).toBe(b);
    expect(pool.take(5)).toBe(c);
    expect(pool.take(5)).not.toBe(a);
  });
});
