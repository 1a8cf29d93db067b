/**
 * Reading the transaction-patterns outputs a run leaves under `--out`: the detection files and the
 * raw chunks. A store write goes through a `.lakehouse-tmp-*` file in the same folder, which a
 * killed run can leave behind (or a running one can be writing), so only published files count.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../../etl/storage/keys.js';

/** One detection file: its name and its JSON lines. */
export interface DetectionFile {
  /** File name under `detections/`. */
  name: string;
  /** Parsed JSON lines, in file order. */
  lines: Record<string, string>[];
}

/** Names of the published files in `dir`, sorted; none when the folder does not exist. */
export function publishedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !name.startsWith(TEMP_PREFIX))
    .sort();
}

/** The detection files under `<out>/detections`, in name (sequence) order. */
export function detectionFiles(out: string): DetectionFile[] {
  const dir = join(out, 'detections');
  return publishedFiles(dir).map((name) => ({
    name,
    lines: readFileSync(join(dir, name), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, string>),
  }));
}

/** The data lines of every raw chunk under `<out>/raw/transactions`, chunk after chunk, headers dropped. */
export function chunkRows(out: string): string[] {
  const dir = join(out, 'raw', 'transactions');
  return publishedFiles(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').slice(1));
}
