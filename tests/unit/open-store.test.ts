/** openStore's URI dispatch, and the key helpers. */
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { UsageError } from '../../etl/errors.js';
import { compareKeys, joinKey } from '../../etl/storage/keys.js';
import { LocalStore } from '../../etl/storage/local-store.js';
import { openStore } from '../../etl/storage/open-store.js';
import { S3Store } from '../../etl/storage/s3-store.js';

describe('openStore', () => {
  const client = new S3Client({ region: 'us-east-1' });
  afterAll(() => client.destroy());

  test('s3://bucket[/prefix] opens an S3Store with the injected client', () => {
    const store = openStore('s3://my-bucket/warehouse/prod/', { s3Client: client });
    expect(store).toBeInstanceOf(S3Store);
    expect(store.uri).toBe('s3://my-bucket/warehouse/prod');
    expect((store as S3Store).client).toBe(client);
    expect(store.uriOf('t/_delta_log/0.json')).toBe('s3://my-bucket/warehouse/prod/t/_delta_log/0.json');
    const root = openStore('s3://my-bucket', { s3Client: client });
    expect(root.uri).toBe('s3://my-bucket');
    expect(root.uriOf('k')).toBe('s3://my-bucket/k');
  });

  test('file:// URLs, absolute and relative paths open a LocalStore', () => {
    const fromUrl = openStore('file:///data/wh');
    expect(fromUrl).toBeInstanceOf(LocalStore);
    expect(fromUrl.localPath('a/b')).toBe('/data/wh/a/b');
    expect(openStore('file:///data/my%20wh').localPath('k')).toBe('/data/my wh/k');
    expect(openStore('/data/wh/').uri).toBe('file:///data/wh');
    expect(openStore('./out/wh').localPath('k')).toBe(resolve('out/wh', 'k'));
    expect(openStore('wh').localPath('k')).toBe(resolve('wh', 'k'));
  });

  test('anything else is a UsageError with a clear message', () => {
    expect(() => openStore('http://example.com/wh')).toThrow(/unsupported warehouse URI scheme "http:"/);
    expect(() => openStore('gs://bucket/wh')).toThrow(UsageError);
    expect(() => openStore('s3://')).toThrow(/names no bucket/);
    expect(() => openStore('s3:///prefix')).toThrow(UsageError);
    expect(() => openStore('s3://bad_bucket!/x')).toThrow(UsageError);
    expect(() => openStore('s3://bucket/a/../b')).toThrow(UsageError);
    expect(() => openStore('file://remote-host/share')).toThrow(UsageError);
    expect(() => openStore('')).toThrow(UsageError);
  });
});

describe('key helpers', () => {
  test('joinKey joins with single slashes, no leading or trailing slash', () => {
    expect(joinKey('a/', '/b', 'c.json')).toBe('a/b/c.json');
    expect(joinKey('', 'tables', '', 'orders')).toBe('tables/orders');
    expect(joinKey('/tables', 'orders/')).toBe('tables/orders');
    expect(joinKey('tables//orders', 'x')).toBe('tables/orders/x');
    expect(joinKey()).toBe('');
  });

  test('compareKeys orders by code point, like S3', () => {
    const keys = ['b', 'a/1', 'a-b', 'a', '\u{1F600}', '\uFFFD', 'A'];
    expect([...keys].sort(compareKeys)).toEqual(['A', 'a', 'a-b', 'a/1', 'b', '\uFFFD', '\u{1F600}']);
    expect(compareKeys('x', 'x')).toBe(0);
  });
});
