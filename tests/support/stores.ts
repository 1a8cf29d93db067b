/** The storage back ends every table test runs against: a local temp folder and S3 on moto. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../etl/storage/open-store.js';
import type { ObjectStore } from '../../etl/storage/object-store.js';
import { createTestBucket } from './s3-bucket.js';

/** A named way to get a fresh, empty store. */
export interface StoreKind {
  /** `local` or `s3`. */
  name: 'local' | 's3';
  /** A fresh empty store and its URI. */
  fresh(): Promise<{ store: ObjectStore; uri: string }>;
}

/** A fresh local temp folder. */
export function tempDir(prefix = 'lakehouse-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Local folder and S3 (moto). */
export const STORE_KINDS: StoreKind[] = [
  {
    name: 'local',
    async fresh() {
      const uri = tempDir();
      return { store: openStore(uri), uri };
    },
  },
  {
    name: 's3',
    async fresh() {
      const uri = await createTestBucket();
      return { store: openStore(uri), uri };
    },
  },
];
