/** Fresh buckets on the moto server started by the jest global setup. */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * Create a uniquely named bucket on moto and return a store URI inside it,
 * `s3://test-<random>/warehouse`. The endpoint, region and fake credentials come from the
 * environment the global setup prepared.
 */
export async function createTestBucket(): Promise<string> {
  if (!process.env.AWS_ENDPOINT_URL) throw new Error('AWS_ENDPOINT_URL is not set: is the jest global setup (moto) running?');
  const bucket = `test-${randomBytes(8).toString('hex')}`;
  const client = new S3Client({ forcePathStyle: true });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return `s3://${bucket}/warehouse`;
}
