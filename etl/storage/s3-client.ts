/**
 * The default S3 client: region and credentials from the SDK's default provider chains, adaptive
 * retries, and path-style addressing whenever a custom endpoint (MinIO, moto, LocalStack) is set.
 */
import { S3Client } from '@aws-sdk/client-s3';

/** Region used when neither the environment nor the shared config names one. */
export const FALLBACK_REGION = 'us-east-1';
/** Attempts per call (first try included) made by the SDK's retry strategy. */
export const MAX_ATTEMPTS = 5;

/**
 * The custom S3 endpoint the SDK will use from the environment, if any: `AWS_ENDPOINT_URL_S3`,
 * else `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. (The SDK reads these
 * variables itself; this only tells whether to switch to path-style addressing.)
 */
export function configuredEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/** True when requests should use path-style URLs: a custom endpoint is set, or `AWS_S3_FORCE_PATH_STYLE=true`. */
export function usePathStyle(env: NodeJS.ProcessEnv = process.env): boolean {
  return configuredEndpoint(env) !== undefined || env.AWS_S3_FORCE_PATH_STYLE?.toLowerCase() === 'true';
}

/**
 * A new S3 client configured from `env` (the process environment unless a test passes another).
 * No credentials are passed: the default provider chain finds them (env, shared files, SSO,
 * container or instance roles). The endpoint is left to the SDK, which honours `AWS_ENDPOINT_URL_S3`
 * and `AWS_ENDPOINT_URL` on its own.
 */
export function createDefaultS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return new S3Client({
    region: regionProvider(env),
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    forcePathStyle: usePathStyle(env),
  });
}

/** The region from the default chain (`AWS_REGION`, the shared config profile), else `AWS_DEFAULT_REGION`, else us-east-1. */
function regionProvider(env: NodeJS.ProcessEnv): () => Promise<string> {
  let region: Promise<string> | undefined;
  return () => (region ??= resolveRegion(env));
}

async function resolveRegion(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.AWS_REGION) return env.AWS_REGION;
  // The rest of the SDK's chain (the shared config file's profile), through a throwaway client.
  const probe = new S3Client({});
  try {
    return await probe.config.region();
  } catch {
    return env.AWS_DEFAULT_REGION || FALLBACK_REGION;
  } finally {
    probe.destroy();
  }
}
