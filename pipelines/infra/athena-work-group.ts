/**
 * The Athena work group the pipelines query through: engine v3 (reads Delta natively, writes
 * Iceberg), results encrypted in the processed bucket, a per-query bytes-scanned cutoff, and the
 * work group's settings enforced over whatever a client asks for.
 */
import { Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import { Construct } from 'constructs';

/** Options of {@link AthenaWorkGroup}. */
export interface AthenaWorkGroupProps {
  /** Work group name, unique in the account and region. */
  name: string;
  /** `s3://` location of query results. */
  outputLocation: string;
  /** Queries scanning more than this many bytes are cancelled (at least 10 MB). */
  bytesScannedCutoffPerQuery: number;
}

/** An Athena work group with enforced settings. */
export class AthenaWorkGroup extends Construct {
  /** The work group resource. */
  readonly resource: athena.CfnWorkGroup;
  /** Its name. */
  readonly name: string;
  /** Its ARN, for IAM. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AthenaWorkGroupProps) {
    super(scope, id);
    if (props.bytesScannedCutoffPerQuery < 10_000_000) throw new Error('Athena requires a bytes-scanned cutoff of at least 10 MB');
    this.resource = new athena.CfnWorkGroup(this, 'Resource', {
      name: props.name,
      description: 'lakehouse-etl pipelines and reports',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        publishCloudWatchMetricsEnabled: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: props.outputLocation,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.name = this.resource.ref;
    this.arn = Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.resource.ref });
  }
}
