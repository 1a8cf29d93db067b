/**
 * Least-privilege permissions of one pipeline function: no wildcard actions, and every resource
 * scoped: object reads and writes to the pipeline's raw folder, its tables and the ledger in the
 * warehouse, and Athena's results folder; bucket-level calls (list, location) to the two buckets;
 * Glue to its database and its tables; Athena to the work group. A staged pipeline also writes its
 * bronze zone in the warehouse (`bronze/<pipeline>/`), where its land stage copies the raw files. The
 * `*` that remain are inside object-key and table-name paths (`<raw folder>/*`, `table/<db>/*`).
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { ATHENA_RESULTS_PREFIX, WAREHOUSE_PREFIX } from './storage.js';

/** What one pipeline may touch. */
export interface PipelineAccessScope {
  /** The raw bucket. */
  rawBucket: s3.IBucket;
  /** The pipeline's raw folder (no slashes at either end). */
  rawPrefix: string;
  /** The processed bucket (warehouse and Athena results). */
  processedBucket: s3.IBucket;
  /** The pipeline's Glue database. */
  database: string;
  /** Glue ARNs: the catalog, the database, `table/<db>/*`, in this order. */
  glueArns: readonly [string, string, string];
  /** The Athena work group's ARN. */
  workGroupArn: string;
  /** The function's log group ARN. */
  logGroupArn: string;
  /** A staged pipeline's name: its bronze zone `warehouse/bronze/<name>/` is writable too. Absent for a runner pipeline. */
  bronzePipeline?: string;
}

/** The S3 object actions a pipeline uses on its folders (read, write, archive, abort uploads). */
export const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'] as const;
/**
 * The Glue actions: read and register tables, commit Iceberg metadata pointers. `CreateDatabase`
 * because the runner makes sure its database exists at the start of every run (the stack created
 * it, so Glue answers AlreadyExists); like the rest it is scoped to the pipeline's own database.
 */
export const GLUE_ACTIONS = ['glue:GetDatabase', 'glue:CreateDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:CreateTable', 'glue:UpdateTable'] as const;
/** The Athena actions: run, follow, read and cancel queries. */
export const ATHENA_ACTIONS = ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution'] as const;

/** Warehouse folders of a pipeline: its database's tables, and the shared ledger and run records. */
export function warehouseFolders(database: string): [tables: string, ledger: string] {
  return [`${WAREHOUSE_PREFIX}/processed/${database}`, `${WAREHOUSE_PREFIX}/_lakehouse`];
}

/** The bronze zone of a staged pipeline in the warehouse. */
export function bronzeFolder(pipeline: string): string {
  return `${WAREHOUSE_PREFIX}/bronze/${pipeline}`;
}

/** A resource ARN that ends in a `*`, and what it covers (the reason its wildcard is acknowledged). */
export interface ScopedWildcard {
  /** The ARN (a CDK token string). */
  arn: string;
  /** What the path covers, in a phrase. */
  covers: string;
}

/** The pipeline's resource ARNs that end in a path wildcard. */
export interface PipelineWildcards {
  /** Objects under the raw folder. */
  raw: ScopedWildcard;
  /** Objects of the database's tables, of the ledger and run records, and of a staged pipeline's bronze zone. */
  warehouse: ScopedWildcard[];
  /** Athena's result files. */
  athenaResults: ScopedWildcard;
  /** The Glue tables of the database. */
  tables: ScopedWildcard;
}

/** The pipeline's resource ARNs that end in a path wildcard, each inside its own scope. */
export function scopedWildcards(scope: PipelineAccessScope): PipelineWildcards {
  const [tables, ledger] = warehouseFolders(scope.database);
  return {
    raw: { arn: scope.rawBucket.arnForObjects(`${scope.rawPrefix}/*`), covers: `the pipeline's raw files under ${scope.rawPrefix}/ (named by whoever drops them), which it reads and archives` },
    warehouse: [
      { arn: scope.processedBucket.arnForObjects(`${tables}/*`), covers: `the data and log files of the ${scope.database} tables, named by the table formats at commit time` },
      { arn: scope.processedBucket.arnForObjects(`${ledger}/*`), covers: 'the ingest ledger and run records the runner commits with the data' },
      ...(scope.bronzePipeline === undefined
        ? []
        : [
            {
              arn: scope.processedBucket.arnForObjects(`${bronzeFolder(scope.bronzePipeline)}/*`),
              covers: `the ${scope.bronzePipeline} bronze zone, where the land stage copies raw files under their ingestion date`,
            },
          ]),
    ],
    athenaResults: { arn: scope.processedBucket.arnForObjects(`${ATHENA_RESULTS_PREFIX}/*`), covers: "Athena's query result files, named by query id" },
    tables: { arn: scope.glueArns[2], covers: `the tables of the ${scope.database} Glue database, which the pipeline creates` },
  };
}

/** The statements of one pipeline function's policy. */
export function pipelineStatements(scope: PipelineAccessScope): iam.PolicyStatement[] {
  const wildcards = scopedWildcards(scope);
  return [
    new iam.PolicyStatement({
      sid: 'Logs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [scope.logGroupArn],
    }),
    new iam.PolicyStatement({
      sid: 'RawObjects',
      actions: [...OBJECT_ACTIONS],
      resources: [wildcards.raw.arn],
    }),
    // ListBucket on the whole bucket, without an s3:prefix condition: S3 answers a read of a missing
    // key with 404 only to callers that may list the bucket, and a GET carries no s3:prefix, so a
    // condition would turn every "not found" (Delta's _last_checkpoint, the next commit, the ledger)
    // into 403 Access Denied. Listing reveals key names only; reads and writes stay path-scoped.
    new iam.PolicyStatement({
      sid: 'RawList',
      actions: ['s3:ListBucket'],
      resources: [scope.rawBucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'WarehouseObjects',
      actions: [...OBJECT_ACTIONS],
      resources: wildcards.warehouse.map((w) => w.arn),
    }),
    new iam.PolicyStatement({
      sid: 'AthenaResultObjects',
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [wildcards.athenaResults.arn],
    }),
    new iam.PolicyStatement({
      sid: 'ProcessedBucket',
      actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resources: [scope.processedBucket.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'GlueCatalog',
      actions: [...GLUE_ACTIONS],
      resources: [...scope.glueArns],
    }),
    new iam.PolicyStatement({
      sid: 'AthenaQueries',
      actions: [...ATHENA_ACTIONS],
      resources: [scope.workGroupArn],
    }),
  ];
}
