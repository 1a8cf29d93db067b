/** The configuration every AWS client of the catalog layer shares: adaptive retries and an optional endpoint. */

/** Attempts per call (the first one included) the SDK makes before giving up on throttling, 5xx and network errors. */
export const AWS_MAX_ATTEMPTS = 5;

/** Options of the Glue and Athena client factories. */
export interface AwsClientOptions {
  /** Region; by default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the SDK's own chain (shared config). */
  region?: string;
  /** Endpoint URL (a proxy, LocalStack, moto); by default the SDK's (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`). */
  endpoint?: string;
  /** Attempts per call, default {@link AWS_MAX_ATTEMPTS}. */
  maxAttempts?: number;
}

/** Client configuration: adaptive retry mode (client-side rate limiting on throttling) and `maxAttempts`. */
export function awsClientConfig(options: AwsClientOptions = {}, env: NodeJS.ProcessEnv = process.env) {
  const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  return {
    retryMode: 'adaptive' as const,
    maxAttempts: options.maxAttempts ?? AWS_MAX_ATTEMPTS,
    ...(region !== undefined ? { region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
  };
}
