/**
 * On AWS the serving tables need a PostgreSQL server: the embedded PGlite keeps its data in a local
 * folder, and the Lambda's warehouse is on S3 (its `/tmp` is gone after the invocation). Without a
 * `DATABASE_URL` the serve stage fails at once with a terminal error naming what to configure, instead
 * of a confusing error from deep inside the PostgreSQL layer; the stages before it still run.
 */
import type { Stage } from '../staged/staged-pipeline.js';
import { LambdaConfigError } from './errors.js';

/** Stages that write to PostgreSQL. */
export const SERVING_STAGES: readonly string[] = ['serve'];

/** The error a serving stage fails with when no PostgreSQL URL is configured. */
export function missingDatabaseUrl(pipeline: string): LambdaConfigError {
  return new LambdaConfigError(
    'DATABASE_URL',
    `is not set, and the serve stage of ${pipeline} writes to PostgreSQL (PGlite cannot keep its data on S3): deploy the stack with ` +
      'the databaseUrlSecret prop (context lakehouse:databaseUrlSecret) naming a Secrets Manager secret whose value is the postgres:// URL',
  );
}

/** `stages`, with every serving stage replaced by one that fails with {@link missingDatabaseUrl} when `databaseUrl` is absent. */
export function requirePostgresForServing(pipeline: string, stages: readonly Stage[], databaseUrl: string | undefined): readonly Stage[] {
  if (databaseUrl !== undefined) return stages;
  return stages.map((stage) =>
    SERVING_STAGES.includes(stage.name)
      ? {
          name: stage.name,
          run: () => Promise.reject(missingDatabaseUrl(pipeline)),
        }
      : stage,
  );
}
