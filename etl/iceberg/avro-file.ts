/**
 * Avro object container files (the format of Iceberg manifests and manifest lists), encoded and
 * decoded in memory with avsc. Longs are JS `bigint` on read (snapshot ids use all 63 bits) and may be
 * `number` or `bigint` on write. Blocks are deflate-compressed, as the Java implementation writes them.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { CorruptMetadataError } from './errors.js';

/** An Avro schema as JSON (records may carry Iceberg's `field-id` attributes). */
export type AvroSchema = Record<string, unknown> | string | unknown[];

/** The content of a container file. */
export interface AvroFileContent<T> {
  /** The writer's schema, as stored in the header. */
  schema: AvroSchema;
  /** Key-value metadata of the header (without the `avro.*` keys), decoded as UTF-8. */
  metadata: Record<string, string>;
  /** The records. */
  records: T[];
}

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1

/** 64-bit longs as bigint: avsc's default long type refuses values beyond 2^53. */
const BIG_LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isSafeInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** Use {@link BIG_LONG} for every `long`, plain or under a logical type (`timestamp-micros`). */
function bigLongHook(schema: unknown): avro.Type | undefined {
  if (schema === 'long') return BIG_LONG;
  if (schema && typeof schema === 'object' && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'long') return BIG_LONG;
  return undefined;
}

/** An avsc type for `schema`, with bigint longs and logical types left as their underlying type. */
export function avroType(schema: AvroSchema): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { typeHook: bigLongHook, wrapUnions: 'auto' });
}

const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

/** Encode an Avro long (zig-zag varint). */
function encodeLong(n: number): Buffer {
  let v = (BigInt(n) << 1n) ^ (BigInt(n) >> 63n);
  const bytes: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    bytes.push(b);
  } while (v !== 0n);
  return Buffer.from(bytes);
}

/** Decode an Avro long at `pos`; returns the value and the position after it. */
function decodeLong(buf: Buffer, pos: number): [number, number] {
  let shift = 0n;
  let v = 0n;
  for (;;) {
    if (pos >= buf.length) throw new CorruptMetadataError('truncated Avro long');
    const b = buf[pos++]!;
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7n;
  }
  const n = (v >> 1n) ^ -(v & 1n);
  return [Number(n), pos];
}

/** Records per block. */
const BLOCK_RECORDS = 1000;

/** Encode `records` as an Avro container file with `schema` and key-value `metadata`. */
export function encodeAvroFile(schema: AvroSchema, records: unknown[], metadata: Record<string, string> = {}): Uint8Array {
  const type = avroType(schema);
  const sync = randomBytes(16);
  const meta: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v, 'utf8');
  meta['avro.schema'] = Buffer.from(JSON.stringify(schema), 'utf8');
  meta['avro.codec'] = Buffer.from('deflate', 'utf8');
  const parts: Buffer[] = [HEADER.toBuffer({ magic: MAGIC, meta, sync })];
  for (let start = 0; start < records.length; start += BLOCK_RECORDS) {
    const chunk = records.slice(start, start + BLOCK_RECORDS);
    const raw = Buffer.concat(chunk.map((r) => type.toBuffer(r)));
    const data = deflateRawSync(raw);
    parts.push(encodeLong(chunk.length), encodeLong(data.length), data, sync);
  }
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Decode an Avro container file (codecs `null` and `deflate`) with its own writer schema. */
export function decodeAvroFile<T = Record<string, unknown>>(bytes: Uint8Array, where = 'Avro file'): AvroFileContent<T> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw new CorruptMetadataError(`${where} is not an Avro container file`);
  let header: { value: { meta: Record<string, Buffer>; sync: Buffer }; offset: number };
  try {
    header = HEADER.decode(buf, 0) as never;
  } catch (err) {
    throw new CorruptMetadataError(`${where}: unreadable Avro header`, { cause: err });
  }
  if (header.offset < 0) throw new CorruptMetadataError(`${where}: truncated Avro header`);
  const { meta, sync } = header.value;
  const schemaText = meta['avro.schema']?.toString('utf8');
  if (!schemaText) throw new CorruptMetadataError(`${where}: no avro.schema in the header`);
  const codec = meta['avro.codec']?.toString('utf8') ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new CorruptMetadataError(`${where}: unsupported Avro codec ${codec}`);
  const schema = JSON.parse(schemaText) as AvroSchema;
  const type = avroType(schema);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) if (!k.startsWith('avro.')) metadata[k] = v.toString('utf8');
  const records: T[] = [];
  let pos = header.offset;
  while (pos < buf.length) {
    let count: number;
    let size: number;
    [count, pos] = decodeLong(buf, pos);
    [size, pos] = decodeLong(buf, pos);
    if (pos + size + 16 > buf.length) throw new CorruptMetadataError(`${where}: truncated Avro block`);
    const block = buf.subarray(pos, pos + size);
    pos += size;
    if (!buf.subarray(pos, pos + 16).equals(sync)) throw new CorruptMetadataError(`${where}: bad Avro sync marker`);
    pos += 16;
    const data = codec === 'deflate' ? inflateRawSync(block) : block;
    let at = 0;
    for (let i = 0; i < count; i++) {
      const { value, offset } = type.decode(data, at);
      if (offset < 0) throw new CorruptMetadataError(`${where}: truncated Avro record`);
      records.push(value as T);
      at = offset;
    }
  }
  return { schema, metadata, records };
}
