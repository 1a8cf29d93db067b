/** Opens the right {@link ObjectStore} for a warehouse URI. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../errors.js';
import { LocalStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { S3Store } from './s3-store.js';

export { joinKey } from './keys.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** S3 client for `s3://` URIs (tests inject one); by default one configured from the environment. */
  s3Client?: S3Client;
}

/**
 * Open the store at `uri`: `s3://bucket[/prefix]` gives an {@link S3Store}; `file:///abs/path`, an
 * absolute path or a relative path (resolved against the working directory) a {@link LocalStore}.
 * Throws `UsageError` for anything else (`http://...`, `s3://` without a bucket, an empty string).
 */
export function openStore(uri: string, options: OpenStoreOptions = {}): ObjectStore {
  if (typeof uri !== 'string' || uri.trim() === '') throw new UsageError('no warehouse URI given');
  if (/^s3:/i.test(uri)) return new S3Store(uri, { client: options.s3Client });
  if (/^file:/i.test(uri)) {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch (err) {
      throw new UsageError(`not a local file URI: ${JSON.stringify(uri)} (expected file:///absolute/path)`, { cause: err });
    }
    return new LocalStore(path);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1];
  if (scheme !== undefined) {
    throw new UsageError(`unsupported warehouse URI scheme "${scheme}:" in ${JSON.stringify(uri)} (use s3://bucket/prefix, file:///path or a path)`);
  }
  return new LocalStore(resolve(uri));
}
