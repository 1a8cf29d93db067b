/** Per-column compressed sizes of a Parquet file, read from its footer with parquet-wasm. */
import { ParquetFile } from 'parquet-wasm/node';

/**
 * Total compressed bytes (`total_compressed_size` of every column chunk, all row groups) per
 * top-level column name; the leaves of a nested column add up under their top-level name.
 * Reads only the footer, but wraps `bytes` in a `Blob` (one copy) because parquet-wasm's metadata
 * API takes a Blob.
 */
export async function readColumnSizes(bytes: Uint8Array): Promise<Record<string, number>> {
  const file = await ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  const metadata = file.metadata();
  try {
    const sizes: Record<string, number> = {};
    for (const rowGroup of metadata.rowGroups()) {
      for (const column of rowGroup.columns()) {
        const name = column.columnPath()[0]!;
        sizes[name] = (sizes[name] ?? 0) + column.compressedSize();
        column.free();
      }
      rowGroup.free();
    }
    return sizes;
  } finally {
    metadata.free();
    file.free();
  }
}
