/** removeIncompleteWrites: a local folder's orphaned temp files and S3's abandoned multipart uploads. */
import { writeFileSync, mkdirSync, readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Store } from '../../etl/storage/s3-store.js';
import { openStore } from '../../etl/storage/open-store.js';
import { TEMP_PREFIX } from '../../etl/storage/keys.js';
import { createTestBucket } from '../support/s3-bucket.js';
import { tempDir } from '../support/stores.js';

test('local: temp files left by a killed writer are removed once older than the cutoff; others stay', async () => {
  const root = tempDir();
  const store = openStore(root);
  await store.put('tbl/date=2025-04-01/part-0.parquet', new Uint8Array([1]));
  mkdirSync(join(root, 'tbl', 'date=2025-04-01'), { recursive: true });
  const stale = join(root, 'tbl', 'date=2025-04-01', `${TEMP_PREFIX}stale`);
  const fresh = join(root, 'tbl', `${TEMP_PREFIX}fresh`);
  writeFileSync(stale, 'x');
  writeFileSync(fresh, 'y');
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(stale, hourAgo, hourAgo);
  expect(await store.removeIncompleteWrites('tbl/', new Date(Date.now() - 60_000))).toBe(1);
  expect(readdirSync(join(root, 'tbl', 'date=2025-04-01'))).toEqual(['part-0.parquet']);
  expect(readdirSync(join(root, 'tbl'))).toContain(`${TEMP_PREFIX}fresh`);
});

test('s3: multipart uploads started before the cutoff under the prefix are aborted', async () => {
  const uri = await createTestBucket();
  const store = openStore(uri);
  const [bucket, ...rest] = uri.slice('s3://'.length).split('/');
  const prefix = rest.join('/');
  const client = new S3Client({ forcePathStyle: true });
  await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}/tbl/a.parquet` }));
  await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}/other/b.parquet` }));
  // (moto reports a fixed `Initiated` date in 2010, so the age cut-off is checked with a mock below.)
  expect(await store.removeIncompleteWrites('tbl/', new Date(Date.now() + 60_000))).toBe(1);
  const left = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  expect((left.Uploads ?? []).map((u) => u.Key)).toEqual([`${prefix}/other/b.parquet`]);
  client.destroy();
});

test('s3: uploads younger than the cutoff are kept, across pages', async () => {
  const client = new S3Client({ region: 'us-east-1' });
  const mock = mockClient(client);
  const now = Date.now();
  mock
    .on(ListMultipartUploadsCommand, { KeyMarker: undefined })
    .resolves({ IsTruncated: true, NextKeyMarker: 'p/t/b', NextUploadIdMarker: 'u2', Uploads: [{ Key: 'p/t/a', UploadId: 'u1', Initiated: new Date(now - 7_200_000) }, { Key: 'p/t/b', UploadId: 'u2', Initiated: new Date(now) }] })
    .on(ListMultipartUploadsCommand, { KeyMarker: 'p/t/b' })
    .resolves({ IsTruncated: false, Uploads: [{ Key: 'p/t/c', UploadId: 'u3', Initiated: new Date(now - 9_000_000) }] });
  mock.on(AbortMultipartUploadCommand).resolves({});
  const store = new S3Store('s3://bkt/p', { client });
  expect(await store.removeIncompleteWrites('t/', new Date(now - 3_600_000))).toBe(2);
  expect(mock.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.UploadId)).toEqual(['u1', 'u3']);
  expect(mock.commandCalls(ListMultipartUploadsCommand)[0]!.args[0].input.Prefix).toBe('p/t/');
});
