/**
 * The SNS topic every alarm notifies: encrypted with a customer-managed KMS key (CloudWatch cannot
 * publish to a topic under the AWS-managed SNS key), TLS-only publishing, and publish rights for
 * CloudWatch alarms of this account only.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Options of {@link AlertTopic}. */
export interface AlertTopicProps {
  /** An address to subscribe to the topic (it must confirm the subscription). */
  email?: string;
}

/** The alarm topic and its key. */
export class AlertTopic extends Construct {
  /** Encrypts the topic's messages. */
  readonly key: kms.Key;
  /** The topic. */
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudwatchService = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.key = new kms.Key(this, 'Key', { description: 'lakehouse-etl alarm topic', enableKeyRotation: true });
    // In a key policy, Resource "*" means this key.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishEncrypted',
        principals: [cloudwatchService],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'lakehouse-etl alarms', masterKey: this.key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatchService],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Notify the topic when `alarm` fires. */
  notifyOn(alarm: cloudwatch.Alarm): void {
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
  }
}
