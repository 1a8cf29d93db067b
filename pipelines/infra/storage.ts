/**
 * The lake's buckets: raw (CSV drops; EventBridge notifications on), processed (the warehouse and
 * Athena's query results; versioned) and the server access log bucket both log to (cdk-nag's S1
 * accepts it unlogged: its policy admits only the S3 logging service). All S3-managed
 * encryption, public access blocked, TLS 1.2+ only, incomplete multipart uploads aborted after a day.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Folder of the processed bucket that holds the warehouse. */
export const WAREHOUSE_PREFIX = 'warehouse';
/** Folder of the processed bucket that holds Athena's query results. */
export const ATHENA_RESULTS_PREFIX = 'athena-results';

/** Options of {@link LakehouseStorage}. */
export interface LakehouseStorageProps {
  /** Days Athena query results are kept. */
  athenaResultsRetentionDays?: number;
  /** Days noncurrent versions of processed objects (vacuumed or overwritten files) are kept. */
  noncurrentVersionRetentionDays?: number;
}

/** The settings every bucket shares. */
const COMMON: s3.BucketProps = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  removalPolicy: RemovalPolicy.RETAIN,
};

/** Abort multipart uploads a crashed writer left behind. */
const ABORT_INCOMPLETE_UPLOADS: s3.LifecycleRule = { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) };

/** Raw, processed and access-log buckets. */
export class LakehouseStorage extends Construct {
  /** Receives server access logs of the other two. */
  readonly accessLogs: s3.Bucket;
  /** The raw zone: CSV drops, one folder per pipeline. */
  readonly raw: s3.Bucket;
  /** The processed zone: `warehouse/` (tables, ledger) and `athena-results/`. */
  readonly processed: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakehouseStorageProps = {}) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...COMMON,
      lifecycleRules: [ABORT_INCOMPLETE_UPLOADS, { id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    this.raw = new s3.Bucket(this, 'Raw', {
      ...COMMON,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'raw/',
      lifecycleRules: [ABORT_INCOMPLETE_UPLOADS],
    });
    // EventBridge notifications through CloudFormation's own property, not `eventBridgeEnabled: true`,
    // which deploys a notifications custom resource whose role needs s3:PutBucketNotification on "*".
    (this.raw.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    this.processed = new s3.Bucket(this, 'Processed', {
      ...COMMON,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'processed/',
      lifecycleRules: [
        ABORT_INCOMPLETE_UPLOADS,
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionRetentionDays ?? 30) },
        { id: 'expire-athena-results', prefix: `${ATHENA_RESULTS_PREFIX}/`, expiration: Duration.days(props.athenaResultsRetentionDays ?? 30) },
      ],
    });
  }

  /** `s3://<processed>/warehouse`. */
  get warehouseUri(): string {
    return `s3://${this.processed.bucketName}/${WAREHOUSE_PREFIX}`;
  }

  /** `s3://<processed>/athena-results/`. */
  get athenaResultsUri(): string {
    return `s3://${this.processed.bucketName}/${ATHENA_RESULTS_PREFIX}/`;
  }

  /** `s3://<raw>/<folder>`. */
  rawUri(folder: string): string {
    return `s3://${this.raw.bucketName}/${folder}`;
  }
}
