/**
 * A minimal ZIP writer (deflate, no ZIP64) on Node's zlib, enough to package the Lambda bundle and
 * measure its deployed size without a `zip` binary. Entries get a fixed timestamp, so the same
 * input gives the same bytes.
 */
import { crc32, deflateRawSync } from 'node:zlib';

/** One file to store. */
export interface ZipEntry {
  /** Path inside the archive, with `/` separators (`index.mjs`). */
  name: string;
  /** File contents. */
  data: Uint8Array;
}

/** 1980-01-01 00:00, the earliest DOS date: fixed so archives are reproducible. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** ZIP64 would be needed past these. */
const MAX_32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

/** Build a ZIP archive of `entries`, each deflated at the highest level. */
export function zipEntries(entries: readonly ZipEntry[]): Buffer {
  if (entries.length > MAX_ENTRIES) throw new RangeError(`too many entries for a ZIP without ZIP64: ${entries.length}`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const checksum = crc32(entry.data);
    if (entry.data.byteLength > MAX_32 || compressed.byteLength > MAX_32 || offset > MAX_32) {
      throw new RangeError(`${entry.name} is too large for a ZIP without ZIP64`);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(8, 8); // method: deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(compressed.byteLength, 18);
    local.writeUInt32LE(entry.data.byteLength, 22);
    local.writeUInt16LE(name.byteLength, 26);
    local.writeUInt16LE(0, 28); // extra field length
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0); // central directory header signature
    header.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(checksum, 16);
    header.writeUInt32LE(compressed.byteLength, 20);
    header.writeUInt32LE(entry.data.byteLength, 24);
    header.writeUInt16LE(name.byteLength, 28);
    // extra, comment, disk number, internal attributes: 0
    header.writeUInt32LE(((0o100644 << 16) >>> 0), 38); // external attributes: regular file, rw-r--r--
    header.writeUInt32LE(offset, 42);
    parts.push(local, name, compressed);
    central.push(header, name);
    offset += local.byteLength + name.byteLength + compressed.byteLength;
  }
  const directory = Buffer.concat(central);
  if (offset > MAX_32) throw new RangeError('archive too large for a ZIP without ZIP64');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory signature
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}
