/**
 * One pipeline's Lambda function: the bundled handler (dist/lambda), its environment (the variables
 * pipelines/aws/lambda-config.ts validates), its own role with the least-privilege policy, its log
 * group, asynchronous retries into the dead-letter queue, and an alarm on its errors.
 */
import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
// cdk-nag's own renderer of ARNs in finding ids (not re-exported from its index).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import type { AthenaWorkGroup } from './athena-work-group.js';
import type { GlueDatabases } from './glue-databases.js';
import { pipelineStatements, scopedWildcards, type PipelineAccessScope } from './pipeline-access.js';
import { rawPrefixOf, runsAsStateMachine, type PipelineSpec } from './pipeline-spec.js';
import type { LakehouseStorage } from './storage.js';

/** Sizing and runtime of the pipeline functions. */
export interface PipelineFunctionSettings {
  /** The bundle (a folder holding index.mjs). */
  code: lambda.Code;
  /** Lambda runtime. */
  runtime: lambda.Runtime;
  /** Memory in MiB (CPU scales with it). */
  memorySize: number;
  /** Longest run. */
  timeout: Duration;
  /** Reserved concurrency; unreserved when absent. */
  reservedConcurrency?: number;
  /** Table format written. */
  format: 'delta' | 'iceberg';
}

/** Everything a pipeline function is wired to. */
export interface PipelineFunctionProps extends PipelineFunctionSettings {
  /** The pipeline. */
  spec: PipelineSpec;
  /** The buckets. */
  storage: LakehouseStorage;
  /** The Glue databases. */
  databases: GlueDatabases;
  /** The Athena work group. */
  workGroup: AthenaWorkGroup;
  /** Receives events whose processing failed after the retries. */
  deadLetterQueue: sqs.IQueue;
  /**
   * The function's `DATABASE_URL` for a serve stage: a CloudFormation dynamic reference to a Secrets
   * Manager secret (`{{resolve:secretsmanager:...}}`), resolved at deploy time. Absent: not set.
   */
  databaseUrl?: string;
  /** The function's `RATES` (customer-purchases rate table, `USD=1.5,AUD=1`). Absent: not set (the pipeline's default). */
  rates?: string;
}

/** A pipeline's function, role, log group and error alarm. */
export class PipelineFunction extends Construct {
  /** The function. */
  readonly function: lambda.Function;
  /** Its execution role. */
  readonly role: iam.Role;
  /** Fires on any error in a 5-minute window. */
  readonly errorAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const { spec, storage } = props;
    const rawPrefix = rawPrefixOf(spec);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `lakehouse-etl ${spec.name} pipeline function`,
    });
    const access: PipelineAccessScope = {
      rawBucket: storage.raw,
      rawPrefix,
      processedBucket: storage.processed,
      database: spec.database,
      glueArns: props.databases.arnsFor(spec.database),
      workGroupArn: props.workGroup.arn,
      logGroupArn: logGroup.logGroupArn,
      ...(spec.stages ? { bronzePipeline: spec.name } : {}),
    };
    const policy = new iam.Policy(this, 'Policy', { statements: pipelineStatements(access) });
    this.role.attachInlinePolicy(policy);
    acknowledgeScopedWildcards(policy, access);
    this.function = new lambda.Function(this, 'Function', {
      description: runsAsStateMachine(spec)
        ? `lakehouse-etl: runs the stages of the ${spec.name} pipeline for its state machine`
        : `lakehouse-etl: runs the ${spec.name} pipeline on its schedule and on new raw files`,
      runtime: props.runtime,
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: props.code,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ephemeralStorageSize: Size.gibibytes(2),
      role: this.role,
      logGroup,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      environment: {
        RAW_URI: storage.rawUri(rawPrefix),
        WAREHOUSE_URI: storage.warehouseUri,
        FORMAT: props.format,
        GLUE_DATABASE: spec.database,
        ATHENA_WORKGROUP: props.workGroup.name,
        ATHENA_OUTPUT: storage.athenaResultsUri,
        PIPELINE: spec.name,
        ...(spec.datasets.length ? { DATASETS: spec.datasets.join(',') } : {}),
        ...(props.databaseUrl === undefined ? {} : { DATABASE_URL: props.databaseUrl }),
        ...(props.rates === undefined ? {} : { RATES: props.rates }),
      },
    });
    if (props.runtime.name === lambda.Runtime.NODEJS_20_X.name) {
      Validations.of(this.function).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'The project targets Node.js 20 (package engines, CI, the esbuild target node20); the runtime moves with the project. ' +
          'Set the context lakehouse:runtime (stack prop runtime) to nodejs24.x, the latest, to move ahead of it.',
      });
    }
    // The role's policy must exist before the function can be invoked with it.
    this.function.node.addDependency(policy);
    this.errorAlarm = new cloudwatch.Alarm(this, 'ErrorAlarm', {
      alarmDescription: `The ${spec.name} pipeline function failed (each failed attempt counts; retries follow, then the dead-letter queue)`,
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/**
 * Acknowledge cdk-nag's IAM5 findings on `policy` one by one: each `*` is the tail of an object-key
 * or table-name path inside the pipeline's own scope, never an action. The ids are cdk-nag's own
 * rendering of each ARN (`Resource::<LogicalId.Arn>/path/*`), so they match in any environment.
 */
function acknowledgeScopedWildcards(policy: iam.Policy, access: PipelineAccessScope): void {
  const stack = Stack.of(policy);
  const wildcards = scopedWildcards(access);
  for (const { arn, covers } of [wildcards.raw, ...wildcards.warehouse, wildcards.athenaResults, wildcards.tables]) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
      reason: `Scoped wildcard in a resource path, not an action: ${covers}.`,
    });
  }
}
