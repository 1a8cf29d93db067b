/** The default Glue client. */
import { GlueClient } from '@aws-sdk/client-glue';
import { awsClientConfig, type AwsClientOptions } from '../aws-client-config.js';

/** A Glue client with adaptive retries (throttling and 5xx are retried up to `maxAttempts`). */
export function createGlueClient(options: AwsClientOptions = {}): GlueClient {
  return new GlueClient(awsClientConfig(options));
}
