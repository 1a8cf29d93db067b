/**
 * The typed arrays decoders fill, zeroed. Fresh arrays by default: a decoded batch may become Arrow
 * data as it is (no copy), so its arrays must not be reused. A caller that copies every decoded batch
 * out before decoding the next one (the decode worker packs them into a transfer frame) turns on
 * recycling: the arrays of one batch are handed out again, zeroed, for the next, so a long load does
 * not leave the garbage collector a trail of dead external memory.
 */

type Ctor = Int32ArrayConstructor | Uint8ArrayConstructor | BigInt64ArrayConstructor | Float64ArrayConstructor | Uint32ArrayConstructor;

let recycling = false;
const pools = new Map<Ctor, ArrayBufferView[]>();
const handedOut = new Map<Ctor, number>();

/** Turns recycling on or off for this thread (off by default; see the module comment). */
export function recycleDecodeArrays(on: boolean): void {
  recycling = on;
  pools.clear();
  handedOut.clear();
}

/** Starts a batch: with recycling on, the arrays handed out for the previous batch may be handed out again. */
export function nextDecodeBatch(): void {
  handedOut.clear();
}

/** A zeroed array of `n` elements of type `type`. */
export function zeroed<C extends Ctor>(type: C, n: number): InstanceType<C> {
  if (!recycling) return new type(n) as InstanceType<C>;
  const i = handedOut.get(type) ?? 0;
  handedOut.set(type, i + 1);
  let pool = pools.get(type);
  if (pool === undefined) pools.set(type, (pool = []));
  const spare = pool[i] as InstanceType<C> | undefined;
  if (spare !== undefined && spare.length === n) {
    if (spare instanceof BigInt64Array) spare.fill(0n);
    else (spare as Exclude<InstanceType<C>, BigInt64Array>).fill(0);
    return spare;
  }
  const fresh = new type(n) as InstanceType<C>;
  pool[i] = fresh;
  return fresh;
}
