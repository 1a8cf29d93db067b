/** Parses `s3://bucket[/prefix]` store URIs. */
import { UsageError } from '../errors.js';
import { validateKey } from './keys.js';

/** Where an S3 store lives. */
export interface S3Location {
  /** Bucket name. */
  bucket: string;
  /** Key prefix of the store root: empty, or ending in `/` (`warehouse/prod/`). */
  prefix: string;
}

/** Bucket names: S3's rules, loosened for legacy buckets (upper case, `_`, up to 255 characters). */
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

/**
 * Split `s3://bucket/some/prefix/` into bucket and normalised prefix (`some/prefix/`). Throws
 * `UsageError` when the URI is not `s3://`, has no or an invalid bucket, or a prefix with
 * empty, `.` or `..` segments.
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(uri);
  if (!match) throw new UsageError(`not an S3 URI: ${JSON.stringify(uri)} (expected s3://bucket[/prefix])`);
  const bucket = match[1] ?? '';
  if (bucket === '') throw new UsageError(`S3 URI ${JSON.stringify(uri)} names no bucket (expected s3://bucket[/prefix])`);
  if (!BUCKET.test(bucket)) throw new UsageError(`S3 URI ${JSON.stringify(uri)} has an invalid bucket name ${JSON.stringify(bucket)}`);
  const path = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (path !== '') validateKey(path, uri);
  return { bucket, prefix: path === '' ? '' : `${path}/` };
}
