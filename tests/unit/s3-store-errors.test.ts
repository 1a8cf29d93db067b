/** S3Store's error mapping and conditional-write retries, against a mocked S3Client. */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AlreadyExistsError,
  NotFoundError,
  StorageError,
  TransientStorageError,
  isTransient,
} from '../../etl/errors.js';
import { createDefaultS3Client } from '../../etl/storage/s3-client.js';
import { S3Store } from '../../etl/storage/s3-store.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An error shaped like the ones the SDK throws for an S3 error response. */
function s3Error(name: string, status: number, attempts = 1): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts },
    message: `${name} from the mock`,
  });
}

describe('S3Store errors', () => {
  const client = new S3Client({ region: 'us-east-1' });
  const s3 = mockClient(client);
  const store = new S3Store('s3://bucket/wh', { client });

  beforeEach(() => s3.reset());
  afterAll(() => s3.restore());

  test('putIfAbsent sends If-None-Match: * and returns the metadata', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"abc"' });
    const meta = await store.putIfAbsent('log/0.json', text('{}'));
    expect(meta).toMatchObject({ key: 'log/0.json', size: 2, etag: 'abc' });
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({ Bucket: 'bucket', Key: 'wh/log/0.json', IfNoneMatch: '*' });
  });

  test('412 PreconditionFailed -> AlreadyExistsError', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const err = await store.putIfAbsent('log/0.json', text('{}')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as AlreadyExistsError).kind).toBe('terminal');
    expect((err as Error).message).toContain('s3://bucket/wh/log/0.json');
    expect((err as Error).cause).toBeInstanceOf(S3ServiceException);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  test('409 ConditionalRequestConflict twice, then success -> succeeds', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
      .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
      .resolves({ ETag: '"def"' });
    const meta = await store.putIfAbsent('log/1.json', text('{"a":1}'));
    expect(meta.etag).toBe('def');
    const calls = s3.commandCalls(PutObjectCommand);
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c.args[0].input.IfNoneMatch).toBe('*');
  });

  test('persistent 409 -> TransientStorageError after a few attempts', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409));
    const err = await store.putIfAbsent('log/2.json', text('{}')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientStorageError);
    expect((err as TransientStorageError).kind).toBe('transient');
    expect(isTransient(err)).toBe(true);
    expect((err as Error).message).toContain('s3://bucket/wh/log/2.json');
    const attempts = s3.commandCalls(PutObjectCommand).length;
    expect(attempts).toBeGreaterThan(2);
    expect(attempts).toBeLessThan(10);
  });

  test('412 after an SDK retry is a success when the object in the way is byte-for-byte ours', async () => {
    const body = text('{"commit":7}');
    const md5 = createHash('md5').update(body).digest('hex');
    s3.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412, 2));
    s3.on(HeadObjectCommand).resolves({ ETag: `"${md5}"`, ContentLength: body.length, LastModified: new Date() });
    await expect(store.putIfAbsent('log/7.json', body)).resolves.toMatchObject({ key: 'log/7.json', etag: md5 });
    s3.on(HeadObjectCommand).resolves({ ETag: '"someone-else"', ContentLength: body.length, LastModified: new Date() });
    await expect(store.putIfAbsent('log/7.json', body)).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  test('503 -> TransientStorageError', async () => {
    s3.on(PutObjectCommand).rejects(s3Error('SlowDown', 503));
    s3.on(GetObjectCommand).rejects(s3Error('ServiceUnavailable', 503));
    const put = await store.putIfAbsent('x', text('x')).catch((e: unknown) => e);
    expect(put).toBeInstanceOf(TransientStorageError);
    expect((put as Error).message).toMatch(/SlowDown.*503/);
    const get = await store.get('x').catch((e: unknown) => e);
    expect(get).toBeInstanceOf(TransientStorageError);
    expect((get as TransientStorageError).transient).toBe(true);
    expect((get as Error).message).toContain('s3://bucket/wh/x');
  });

  test('throttling and network resets -> TransientStorageError', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('ThrottlingException', 400));
    await expect(store.get('x')).rejects.toBeInstanceOf(TransientStorageError);
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(store.get('x')).rejects.toBeInstanceOf(TransientStorageError);
    s3.on(PutObjectCommand).rejects(s3Error('InternalError', 500));
    await expect(store.put('x', text('x'))).rejects.toBeInstanceOf(TransientStorageError);
  });

  test('403 AccessDenied -> terminal StorageError naming the URI, with the cause', async () => {
    const denied = s3Error('AccessDenied', 403);
    s3.on(PutObjectCommand).rejects(denied);
    s3.on(GetObjectCommand).rejects(denied);
    for (const call of [() => store.putIfAbsent('t/k', text('x')), () => store.get('t/k'), () => store.put('t/k', text('x'))]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect(err).not.toBeInstanceOf(TransientStorageError);
      expect((err as StorageError).kind).toBe('terminal');
      expect((err as Error).message).toContain('s3://bucket/wh/t/k');
      expect((err as Error).message).toContain('AccessDenied');
      expect((err as Error).cause).toBe(denied);
    }
  });

  test('NoSuchKey / 404 -> NotFoundError, head -> undefined; NoSuchBucket is a StorageError', async () => {
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    await expect(store.get('gone')).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.getRange('gone', 0, 10)).rejects.toBeInstanceOf(NotFoundError);
    s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    await expect(store.head('gone')).resolves.toBeUndefined();
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchBucket', 404));
    const err = await store.get('gone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).not.toBeInstanceOf(NotFoundError);
  });

  test('getRange sends an inclusive Range header', async () => {
    s3.on(GetObjectCommand).resolves({});
    await store.getRange('f.parquet', 100, 200);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ Key: 'wh/f.parquet', Range: 'bytes=100-199' });
  });

  test('list pages with ContinuationToken, sends StartAfter once, and returns keys relative to the prefix', async () => {
    const item = (k: string) => ({ Key: `wh/${k}`, Size: 1, ETag: '"e"', LastModified: new Date(0) });
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [item('p/a'), item('p/b')], IsTruncated: true, NextContinuationToken: 't1' })
      .resolvesOnce({ Contents: [item('p/c')], IsTruncated: false });
    const keys: string[] = [];
    for await (const m of store.list('p/', { startAfter: 'p/0' })) keys.push(m.key);
    expect(keys).toEqual(['p/a', 'p/b', 'p/c']);
    const inputs = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(inputs[0]).toMatchObject({ Bucket: 'bucket', Prefix: 'wh/p/', StartAfter: 'wh/p/0' });
    expect(inputs[1]).toMatchObject({ Prefix: 'wh/p/', ContinuationToken: 't1' });
    expect(inputs[1]?.StartAfter).toBeUndefined();
    s3.on(ListObjectsV2Command).rejects(s3Error('SlowDown', 503));
    await expect(store.list('p/')[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(TransientStorageError);
  });
});

describe('default S3 client', () => {
  test('uses adaptive retries and path-style addressing when a custom endpoint is configured', async () => {
    const custom = createDefaultS3Client({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' });
    const perService = createDefaultS3Client({ AWS_ENDPOINT_URL_S3: 'http://minio:9000' });
    const forced = createDefaultS3Client({ AWS_S3_FORCE_PATH_STYLE: 'true' });
    const plain = createDefaultS3Client({});
    try {
      expect(custom.config.forcePathStyle).toBe(true);
      expect(perService.config.forcePathStyle).toBe(true);
      expect(forced.config.forcePathStyle).toBe(true);
      expect(plain.config.forcePathStyle).toBe(false);
      expect(custom.config.retryMode).toBe('adaptive');
      expect((await custom.config.retryStrategy()) as { mode?: string }).toMatchObject({ mode: 'adaptive' });
      expect(await custom.config.maxAttempts()).toBe(5);
    } finally {
      for (const c of [custom, perService, forced, plain]) c.destroy();
    }
  });

  test('takes the region from the environment, and falls back to us-east-1', async () => {
    const saved = { region: process.env.AWS_REGION, config: process.env.AWS_CONFIG_FILE };
    delete process.env.AWS_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    try {
      const fromEnv = createDefaultS3Client({ AWS_REGION: 'eu-west-3' });
      const fallback = createDefaultS3Client({});
      expect(await fromEnv.config.region()).toBe('eu-west-3');
      expect(await fallback.config.region()).toBe('us-east-1');
      fromEnv.destroy();
      fallback.destroy();
    } finally {
      if (saved.region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved.region;
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      else process.env.AWS_CONFIG_FILE = saved.config;
    }
  });
});
