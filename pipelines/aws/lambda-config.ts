/**
 * The Lambda function's configuration, from its environment variables, validated with zod. The CDK
 * stack (pipelines/infra) sets every variable; a missing or bad one is a terminal `LambdaConfigError`
 * naming the variable.
 */
import { ratesText } from '../cli/rates-option.js';
import type { RateTable } from '../../validation/contracts/customer-purchases.js';
import { z } from 'zod';
import { LakehouseError } from '../../etl/errors.js';
import { parseS3Uri } from '../../etl/storage/s3-uri.js';
import { LambdaConfigError } from './errors.js';

/** A pipeline name: `ecommerce`, `customer-transactions`. */
export const PIPELINE_NAME = /^[a-z][a-z0-9-]*$/;
/** A dataset folder name under the raw zone: `orders`, `order_items`. */
export const DATASET_NAME = /^[a-z][a-z0-9_]*$/;

/** Unset and empty variables are both "not set". */
const blankToUndefined = (value: unknown): unknown => (value === '' ? undefined : value);

/** An `s3://bucket[/prefix]` URI, checked by the storage layer's own parser. */
const s3Uri = z.string().refine(
  (value) => {
    try {
      parseS3Uri(value);
      return true;
    } catch (err) {
      if (err instanceof LakehouseError) return false;
      throw err;
    }
  },
  { message: 'expected an s3://bucket[/prefix] URI' },
);

/** A comma-separated list of dataset folder names. */
const datasetList = z
  .string()
  .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
  .pipe(z.array(z.string().regex(DATASET_NAME, 'dataset names are lower-case letters, digits and _')).min(1, 'lists no dataset'));

/** The environment variables the handler reads. */
export const LambdaEnvSchema = z.object({
  RAW_URI: z.preprocess(blankToUndefined, s3Uri),
  WAREHOUSE_URI: z.preprocess(blankToUndefined, s3Uri),
  FORMAT: z.preprocess(blankToUndefined, z.enum(['delta', 'iceberg']).default('delta')),
  GLUE_DATABASE: z.preprocess(blankToUndefined, z.string().regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _')),
  ATHENA_WORKGROUP: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'letters, digits, . _ and -, at most 128')),
  ATHENA_OUTPUT: z.preprocess(blankToUndefined, s3Uri),
  PIPELINE: z.preprocess(blankToUndefined, z.string().regex(PIPELINE_NAME, 'lower-case letters, digits and -')),
  DATASETS: z.preprocess(blankToUndefined, datasetList.optional()),
  RATES: z.preprocess(blankToUndefined, ratesText('RATES').optional()),
  DATABASE_URL: z.preprocess(blankToUndefined, z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres://user:password@host:port/database URL').optional()),
});

/** Variables whose values are secrets: never echoed in an error message. */
const SECRET_VARIABLES = new Set(['DATABASE_URL']);

/** The validated configuration of one function; each function runs one pipeline. */
export interface LambdaConfig {
  /** Raw zone URI (`RAW_URI`), e.g. `s3://raw-bucket/ecommerce`. */
  raw: string;
  /** Warehouse URI (`WAREHOUSE_URI`), e.g. `s3://processed-bucket/warehouse`. */
  warehouse: string;
  /** Table format (`FORMAT`, default `delta`). */
  format: 'delta' | 'iceberg';
  /** Glue database of the pipeline's tables (`GLUE_DATABASE`). */
  database: string;
  /** Athena work group (`ATHENA_WORKGROUP`). */
  workGroup: string;
  /** Athena query result location (`ATHENA_OUTPUT`). */
  athenaOutput: string;
  /** The pipeline this function runs (`PIPELINE`). */
  pipeline: string;
  /**
   * Dataset folders under the raw zone whose new files trigger a run (`DATASETS`, comma-separated);
   * undefined means any folder except `archived`.
   */
  datasets: readonly string[] | undefined;
  /**
   * PostgreSQL server of the serving stages (`DATABASE_URL`), e.g. `postgres://etl:secret@db:5432/analytics`.
   * The stack sets it from a Secrets Manager secret when deployed with `databaseUrlSecret`; absent
   * otherwise, and then a serve stage fails with a terminal error saying so (PGlite cannot live on S3).
   */
  databaseUrl?: string;
  /** customer-purchases rate table (`RATES`, `USD=1.5,AUD=1`, AUD per unit); the pipeline's default when absent. */
  rates?: RateTable;
}

/** Validate `env` (the process environment by default); throws `LambdaConfigError` naming the first bad variable. */
export function loadLambdaConfig(env: Readonly<Record<string, string | undefined>> = process.env): LambdaConfig {
  const result = LambdaEnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? '(environment)');
    const value = env[variable];
    const shown = SECRET_VARIABLES.has(variable) ? '' : ` (got ${JSON.stringify(value)})`;
    const message = value === undefined || value === '' ? 'is not set' : `${issue.message}${shown}`;
    throw new LambdaConfigError(variable, message);
  }
  const e = result.data;
  return {
    raw: e.RAW_URI,
    warehouse: e.WAREHOUSE_URI,
    format: e.FORMAT,
    database: e.GLUE_DATABASE,
    workGroup: e.ATHENA_WORKGROUP,
    athenaOutput: e.ATHENA_OUTPUT,
    pipeline: e.PIPELINE,
    datasets: e.DATASETS,
    ...(e.DATABASE_URL === undefined ? {} : { databaseUrl: e.DATABASE_URL }),
    ...(e.RATES === undefined ? {} : { rates: e.RATES }),
  };
}
