/**
 * Which dataset a new raw object belongs to. The raw zone holds one folder per dataset
 * (`<raw>/orders/2025-04-01.csv`); the runner archives ingested files to `<raw>/archived/...`.
 * Only CSV files (`.csv`, `.csv.gz`) directly or deeper inside a dataset folder trigger a run.
 */
import { parseS3Uri } from '../../etl/storage/s3-uri.js';

/** Folder the runner moves ingested raw files to; its objects never trigger a run. */
export const ARCHIVE_FOLDER = 'archived';

/** File names that hold raw CSV data. */
const CSV_FILE = /\.csv(\.gz)?$/i;

/** The verdict on one object. */
export type RawKeyMatch =
  | {
      /** The object is a new raw file of a dataset. */
      kind: 'dataset';
      /** The dataset folder's name, e.g. `orders`. */
      dataset: string;
      /** The dataset folder relative to the raw zone, ending in `/` (`orders/`): the run's prefix. */
      prefix: string;
    }
  | {
      /** The object does not concern this pipeline. */
      kind: 'ignored';
      /** Why, for the log. */
      reason: string;
    };

/**
 * Classify `bucket`/`key` against the raw zone `rawUri`; `datasets` restricts the accepted
 * dataset folders (undefined: any folder but `archived`).
 */
export function matchRawKey(rawUri: string, datasets: readonly string[] | undefined, bucket: string, key: string): RawKeyMatch {
  const raw = parseS3Uri(rawUri);
  if (bucket !== raw.bucket) return { kind: 'ignored', reason: `bucket ${bucket} is not the raw bucket ${raw.bucket}` };
  if (!key.startsWith(raw.prefix)) return { kind: 'ignored', reason: `key ${key} is outside the raw zone ${rawUri}` };
  const segments = key.slice(raw.prefix.length).split('/');
  const dataset = segments[0] ?? '';
  const file = segments[segments.length - 1] ?? '';
  if (segments.length < 2 || dataset === '') return { kind: 'ignored', reason: `key ${key} is not inside a dataset folder` };
  if (dataset === ARCHIVE_FOLDER) return { kind: 'ignored', reason: `key ${key} is an archived file` };
  if (datasets ? !datasets.includes(dataset) : dataset.startsWith('.') || dataset.startsWith('_')) {
    return { kind: 'ignored', reason: `folder ${dataset} is not a dataset of this pipeline` };
  }
  if (!CSV_FILE.test(file)) return { kind: 'ignored', reason: `key ${key} is not a .csv or .csv.gz file` };
  return { kind: 'dataset', dataset, prefix: `${dataset}/` };
}
