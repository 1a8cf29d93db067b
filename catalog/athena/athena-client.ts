/** The default Athena client. */
import { AthenaClient } from '@aws-sdk/client-athena';
import { awsClientConfig, type AwsClientOptions } from '../aws-client-config.js';

/** An Athena client with adaptive retries (throttling and 5xx are retried up to `maxAttempts`). */
export function createAthenaClient(options: AwsClientOptions = {}): AthenaClient {
  return new AthenaClient(awsClientConfig(options));
}
