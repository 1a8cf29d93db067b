/**
 * The dead-letter queue of the pipeline functions' asynchronous invocations (and of the EventBridge
 * targets that invoke them): SQS-managed encryption, TLS-only, 14 days' retention, and an alarm as
 * soon as one message waits in it.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The dead-letter queue and its depth alarm. */
export class DeadLetterQueue extends Construct {
  /** The queue. */
  readonly queue: sqs.Queue;
  /** Fires when at least one message is visible in the queue. */
  readonly depthAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.depthAlarm = new cloudwatch.Alarm(this, 'DepthAlarm', {
      alarmDescription: 'Failed pipeline events are waiting in the dead-letter queue',
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
