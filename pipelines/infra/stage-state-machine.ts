/**
 * A staged pipeline's stages as a Step Functions state machine (customer-purchases: land -> silver ->
 * gold -> serve). Each stage is a LambdaInvoke task of the pipeline's function with the payload
 * `{ pipeline, stage, runId }`; the run id is the execution's name, and each later task takes it from
 * the result the task before returned (`$.runId`), so one execution is one run in the stage state.
 *
 * - Retry: Lambda's own service errors and throttling (quickly), and our transient stage errors
 *   (`TransientStageError`, thrown by the handler for a LakehouseError of kind `transient`) with backoff.
 * - Catch: anything else, and retries run out, goes to an SNS publish on the alarm topic naming the
 *   pipeline, stage, run and error, then to a Fail state carrying the error.
 * - Logging of every event (with execution data) to its own log group, X-Ray tracing, and an alarm when
 *   an execution times out (the one failure no Catch sees).
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
// cdk-nag's own renderer of ARNs in finding ids (not re-exported from its index).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { TRANSIENT_STAGE_ERROR } from '../aws/errors.js';
import type { AlertTopic } from './alert-topic.js';
import type { PipelineSpec } from './pipeline-spec.js';

/** Errors of the Lambda service itself (not of our code) that a retry may clear. */
export const LAMBDA_SERVICE_ERRORS: readonly string[] = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Options of {@link StageStateMachine}. */
export interface StageStateMachineProps {
  /** The pipeline; its `stages` become the tasks, in order. */
  spec: PipelineSpec;
  /** The pipeline's function, which runs one stage per invocation. */
  function: lambda.IFunction;
  /** The alarm topic that failed stages are published to. */
  alerts: AlertTopic;
  /** Longest execution; 3 hours when absent (four stages of at most 15 minutes each, plus retries). */
  timeout?: Duration;
}

/** The state names of `stage`'s task and of its failure notification. */
export function stageStateNames(stage: string): { task: string; notify: string } {
  return { task: stage, notify: `alarm ${stage} failed` };
}

/** The state machine, its log group and its time-out alarm. */
export class StageStateMachine extends Construct {
  /** The state machine. */
  readonly stateMachine: sfn.StateMachine;
  /** Receives every execution event. */
  readonly logGroup: logs.LogGroup;
  /** Fires when an execution times out (a Catch cannot see that). */
  readonly timedOutAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: StageStateMachineProps) {
    super(scope, id);
    const { spec, alerts } = props;
    const stages = spec.stages ?? [];
    if (stages.length === 0) throw new Error(`pipeline ${spec.name} has no stages for a state machine`);
    const failed = new sfn.Fail(this, 'Failed', {
      stateName: 'failed',
      comment: 'A stage failed for good; the alarm topic has been told',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    let chain: sfn.Chain | undefined;
    stages.forEach((stage, index) => {
      const names = stageStateNames(stage);
      const task = new tasks.LambdaInvoke(this, `Stage${index}`, {
        stateName: names.task,
        comment: `Run the ${stage} stage of ${spec.name}`,
        lambdaFunction: props.function,
        payload: sfn.TaskInput.fromObject({
          pipeline: spec.name,
          stage,
          runId: index === 0 ? sfn.JsonPath.executionName : sfn.JsonPath.stringAt('$.runId'),
        }),
        outputPath: '$.Payload',
        retryOnServiceExceptions: false,
      });
      task.addRetry({ errors: [...LAMBDA_SERVICE_ERRORS], interval: Duration.seconds(2), maxAttempts: 6, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
      task.addRetry({
        errors: [TRANSIENT_STAGE_ERROR],
        interval: Duration.seconds(30),
        maxAttempts: 4,
        backoffRate: 2,
        maxDelay: Duration.minutes(5),
        jitterStrategy: sfn.JitterType.FULL,
      });
      const notify = new tasks.SnsPublish(this, `Notify${index}`, {
        stateName: names.notify,
        comment: `Tell the alarm topic that ${stage} of ${spec.name} failed`,
        topic: alerts.topic,
        subject: `lakehouse-etl: ${spec.name} failed at stage ${stage}`,
        message: sfn.TaskInput.fromObject({
          pipeline: spec.name,
          stage,
          runId: sfn.JsonPath.executionName,
          execution: sfn.JsonPath.executionId,
          error: sfn.JsonPath.stringAt('$.error.Error'),
          cause: sfn.JsonPath.stringAt('$.error.Cause'),
        }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      notify.addRetry({ interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
      notify.next(failed);
      task.addCatch(notify, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
      chain = chain ? chain.next(task) : sfn.Chain.start(task);
    });
    const stack = Stack.of(this);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${stack.stackName}-${spec.name}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `lakehouse-etl: the ${stages.join(' -> ')} stages of ${spec.name}, one Lambda task each`,
      definitionBody: sfn.DefinitionBody.fromChainable(chain!),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(3),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    // Publishing to the alarm topic encrypts with its customer-managed key.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ sid: 'AlarmTopicKey', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [alerts.key.keyArn] }));
    const role = this.stateMachine.role;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs log delivery ' +
        '(logs:CreateLogDelivery and the other vended-log actions) support no resource-level permissions; AWS documents Resource "*" for both, ' +
        'and cdk-nag itself demands the tracing (SF2) and the logging (SF1).',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(`${props.function.functionArn}:*`))}]`,
      reason: `Scoped wildcard in a resource path, not an action: the versions and aliases (qualified ARNs) of the ${spec.name} function, which the stage tasks invoke.`,
    });
    this.timedOutAlarm = new cloudwatch.Alarm(this, 'TimedOutAlarm', {
      alarmDescription: `A ${spec.name} state machine execution timed out`,
      metric: this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
