/**
 * An {@link ObjectStore} over `s3://bucket/prefix`. Keys are relative to the prefix. Create-only
 * writes use S3 conditional writes (`If-None-Match: *`).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AlreadyExistsError, NotFoundError, TransientStorageError, UsageError } from '../errors.js';
import { checkRange, validateKey } from './keys.js';
import type { Body, ListOptions, ObjectMeta, ObjectStore } from './object-store.js';
import { createDefaultS3Client } from './s3-client.js';
import { mapS3Error, s3ErrorInfo } from './s3-errors.js';
import { parseS3Uri } from './s3-uri.js';

/** Byte bodies below this size go up in one PutObject; larger ones and streams through a multipart `Upload`. */
export const SINGLE_PUT_LIMIT = 8 * 1024 * 1024;
/** Part size of multipart uploads. */
const PART_SIZE = 8 * 1024 * 1024;
/** Parts uploaded in parallel. */
const QUEUE_SIZE = 4;
/** Attempts of a create-only write that keeps meeting 409 ConditionalRequestConflict. */
const CONFLICT_ATTEMPTS = 4;
/** Base delay of the jittered backoff between those attempts, in ms (doubles each time). */
const CONFLICT_BACKOFF_MS = 50;
/** Page size of ListObjectsV2 (the service maximum). */
const LIST_PAGE = 1000;

/** Options of an S3 store. */
export interface S3StoreOptions {
  /** The client to use (tests inject a mocked one); by default {@link createDefaultS3Client}. */
  client?: S3Client;
}

/** Stores each object as `s3://bucket/<prefix><key>`. */
export class S3Store implements ObjectStore {
  /** `s3://bucket` or `s3://bucket/prefix` (no trailing slash). */
  readonly uri: string;
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix of the store root: empty, or ending in `/`. */
  readonly prefix: string;
  /** The SDK client every call goes through. */
  readonly client: S3Client;

  /** Open the store at `uri` (`s3://bucket[/prefix]`). Throws `UsageError` for a malformed URI. */
  constructor(uri: string, options: S3StoreOptions = {}) {
    const { bucket, prefix } = parseS3Uri(uri);
    this.bucket = bucket;
    this.prefix = prefix;
    this.uri = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix.slice(0, -1)}`;
    this.client = options.client ?? createDefaultS3Client();
  }

  /** `s3://bucket/<prefix><key>`. Throws `UsageError` for an invalid key. */
  uriOf(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  /** Always `undefined`: S3 objects have no local path. */
  localPath(_key: string): string | undefined {
    return undefined;
  }

  /** Read a whole object. Throws `NotFoundError` when absent. */
  async get(key: string): Promise<Uint8Array> {
    const Key = this.objectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      return (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
    } catch (err) {
      throw mapS3Error(err, 'get', this.uriOf(key));
    }
  }

  /** Read bytes `[start, end)` with a `Range` request; a range past the end is cut short. Throws `NotFoundError` when absent. */
  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    const Key = this.objectKey(key);
    checkRange(start, end, this.uriOf(key));
    if (start === end) {
      if (!(await this.head(key))) throw new NotFoundError(`S3 getRange ${this.uriOf(key)}: no such object`);
      return new Uint8Array(0);
    }
    try {
      const Range = `bytes=${start}-${end - 1}`;
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range }));
      return (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
    } catch (err) {
      // 416: the object exists but `start` is at or past its end, which a local file answers with no bytes.
      if (s3ErrorInfo(err).name === 'InvalidRange' || s3ErrorInfo(err).status === 416) return new Uint8Array(0);
      throw mapS3Error(err, 'getRange', this.uriOf(key));
    }
  }

  /**
   * Write an object, replacing any previous one (S3 PUTs are atomic). Small byte bodies go up in one
   * PutObject, streams and large bodies through a multipart upload that is aborted on failure.
   * `lastModified` of the result is the client's clock at completion.
   */
  async put(key: string, body: Body): Promise<ObjectMeta> {
    const Key = this.objectKey(key);
    if (body instanceof Uint8Array && body.byteLength < SINGLE_PUT_LIMIT) {
      try {
        const out = await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body }));
        return toMeta(key, body.byteLength, new Date(), out.ETag);
      } catch (err) {
        throw mapS3Error(err, 'put', this.uriOf(key));
      }
    }
    if (body instanceof Uint8Array) return this.upload(key, body, () => body.byteLength);
    const counter = new ByteCounter(body);
    try {
      return await this.upload(key, Readable.from(counter.chunks()), () => counter.bytes);
    } catch (err) {
      // A failure of the caller's own body stream is theirs: pass it through unchanged.
      throw counter.failure ? counter.failure.error : err;
    }
  }

  /**
   * Write an object only if absent, with `If-None-Match: *`. 412 means another writer got there
   * first (`AlreadyExistsError`); 409 ConditionalRequestConflict (a concurrent conditional write in
   * flight) is retried with jittered backoff, then reported as `TransientStorageError`.
   */
  async putIfAbsent(key: string, body: Uint8Array): Promise<ObjectMeta> {
    const Key = this.objectKey(key);
    const uri = this.uriOf(key);
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, IfNoneMatch: '*' }),
        );
        return toMeta(key, body.byteLength, new Date(), out.ETag);
      } catch (err) {
        const { name, status, attempts } = s3ErrorInfo(err);
        if (status === 412 || name === 'PreconditionFailed') {
          // When the SDK retried (say, after a 500 whose write had in fact landed), the object in the
          // way may be our own: its ETag is then the MD5 of our body.
          const mine = attempts !== undefined && attempts > 1 ? await this.holds(key, body) : undefined;
          if (mine) return mine;
          throw new AlreadyExistsError(`${uri} already exists`, { cause: err });
        }
        if (status === 409 || name === 'ConditionalRequestConflict') {
          if (attempt < CONFLICT_ATTEMPTS) {
            await sleep(CONFLICT_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
            continue;
          }
          throw new TransientStorageError(
            `S3 putIfAbsent ${uri}: conditional write conflict (409) persisted over ${attempt} attempts`,
            { cause: err },
          );
        }
        throw mapS3Error(err, 'putIfAbsent', uri);
      }
    }
  }

  /** Objects whose key starts with `prefix` (a plain string prefix), in key order, via paginated ListObjectsV2. */
  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const { startAfter, limit } = options;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new UsageError(`list limit must be a non-negative integer, got ${limit}`);
    }
    let remaining = limit ?? Number.POSITIVE_INFINITY;
    const Prefix = this.prefix + prefix;
    let token: string | undefined;
    while (remaining > 0) {
      let out;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix,
            MaxKeys: Math.min(LIST_PAGE, remaining),
            ContinuationToken: token,
            StartAfter: token === undefined && startAfter !== undefined ? this.prefix + startAfter : undefined,
          }),
        );
      } catch (err) {
        throw mapS3Error(err, 'list', `s3://${this.bucket}/${Prefix}`);
      }
      for (const o of out.Contents ?? []) {
        if (o.Key === undefined || !o.Key.startsWith(this.prefix)) continue;
        yield toMeta(o.Key.slice(this.prefix.length), o.Size ?? 0, o.LastModified ?? new Date(0), o.ETag);
        if (--remaining <= 0) return;
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (token === undefined) return;
    }
  }

  /** Metadata from HeadObject, or `undefined` when the object is absent. */
  async head(key: string): Promise<ObjectMeta | undefined> {
    const Key = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return toMeta(key, out.ContentLength ?? 0, out.LastModified ?? new Date(0), out.ETag);
    } catch (err) {
      const { name, status } = s3ErrorInfo(err);
      if (status === 404 || name === 'NotFound' || name === 'NoSuchKey') return undefined;
      throw mapS3Error(err, 'head', this.uriOf(key));
    }
  }

  /** DeleteObject; S3 answers success for an absent key too. */
  async delete(key: string): Promise<void> {
    const Key = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (err) {
      throw mapS3Error(err, 'delete', this.uriOf(key));
    }
  }

  /** Abort multipart uploads under `prefix` started before `before` (left by a process that died mid-upload). */
  async removeIncompleteWrites(prefix: string, before: Date): Promise<number> {
    let removed = 0;
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    try {
      for (;;) {
        const page = await this.client.send(
          new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.prefix + prefix, KeyMarker, UploadIdMarker }),
        );
        for (const upload of page.Uploads ?? []) {
          if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated >= before) continue;
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.Key, UploadId: upload.UploadId }));
          removed++;
        }
        if (!page.IsTruncated) return removed;
        KeyMarker = page.NextKeyMarker;
        UploadIdMarker = page.NextUploadIdMarker;
      }
    } catch (err) {
      throw mapS3Error(err, 'list multipart uploads', this.uriOf(prefix));
    }
  }

  /** Multipart upload (a single PutObject when the body fits in one part), aborted on failure. */
  private async upload(key: string, payload: Uint8Array | Readable, size: () => number): Promise<ObjectMeta> {
    try {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.bucket, Key: this.objectKey(key), Body: payload },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
      });
      const out = await upload.done();
      return toMeta(key, size(), new Date(), out.ETag);
    } catch (err) {
      throw mapS3Error(err, 'put', this.uriOf(key));
    }
  }

  /** The full S3 key of a store key, after checking it. */
  private objectKey(key: string): string {
    validateKey(key, this.uri);
    return this.prefix + key;
  }

  /** The object's metadata when it holds exactly `body` (ETag = MD5 of a single-part upload), else `undefined`. */
  private async holds(key: string, body: Uint8Array): Promise<ObjectMeta | undefined> {
    const meta = await this.head(key).catch(() => undefined);
    const md5 = createHash('md5').update(body).digest('hex');
    return meta && meta.size === body.byteLength && meta.etag === md5 ? meta : undefined;
  }
}

/** Passes a body stream's chunks through, counting bytes and remembering whether the stream itself failed. */
class ByteCounter {
  bytes = 0;
  failure: { error: unknown } | undefined;

  constructor(private readonly body: AsyncIterable<Uint8Array>) {}

  async *chunks(): AsyncGenerator<Uint8Array> {
    const it = this.body[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await it.next();
        } catch (error) {
          finished = true;
          this.failure = { error };
          throw error;
        }
        if (next.done) {
          finished = true;
          return;
        }
        this.bytes += next.value.byteLength;
        yield next.value;
      }
    } finally {
      // The upload stopped reading early (it failed): let the body release its resources.
      if (!finished) await it.return?.();
    }
  }
}

function toMeta(key: string, size: number, lastModified: Date, etag: string | undefined): ObjectMeta {
  return { key, size, lastModified, etag: (etag ?? '').replace(/^(W\/)?"|"$/g, '') };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
