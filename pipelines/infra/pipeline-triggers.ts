/**
 * What starts a pipeline function: its own schedule rule (daily by default), whose input is a
 * Scheduled Event naming the pipeline, and an S3 Object Created rule matching the raw bucket and
 * the pipeline's dataset folders. Both retry delivery and send undeliverable events to the
 * dead-letter queue.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { rawPrefixOf, type PipelineSpec } from './pipeline-spec.js';

/** Options of {@link PipelineTriggers}. */
export interface PipelineTriggersProps {
  /** The pipeline. */
  spec: PipelineSpec;
  /** Its function. */
  function: lambda.IFunction;
  /** The raw bucket. */
  rawBucket: s3.IBucket;
  /** The schedule expression to use. */
  schedule: string;
  /** Receives events EventBridge could not deliver. */
  deadLetterQueue: sqs.IQueue;
}

/** The pipeline's schedule and S3 rules. */
export class PipelineTriggers extends Construct {
  /** Runs the pipeline on its schedule. */
  readonly schedule: events.Rule;
  /** Runs the pipeline for new raw files; absent when the pipeline lists no dataset folder. */
  readonly objectCreated: events.Rule | undefined;

  constructor(scope: Construct, id: string, props: PipelineTriggersProps) {
    super(scope, id);
    const { spec } = props;
    const delivery = { deadLetterQueue: props.deadLetterQueue, retryAttempts: 4, maxEventAge: Duration.hours(2) };
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `lakehouse-etl: run the ${spec.name} pipeline over new raw files`,
      schedule: events.Schedule.expression(props.schedule),
      targets: [
        new targets.LambdaFunction(props.function, {
          ...delivery,
          event: events.RuleTargetInput.fromObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: { pipeline: spec.name } }),
        }),
      ],
    });
    if (spec.datasets.length === 0) {
      this.objectCreated = undefined;
      return;
    }
    const rawPrefix = rawPrefixOf(spec);
    this.objectCreated = new events.Rule(this, 'ObjectCreated', {
      description: `lakehouse-etl: run the ${spec.name} pipeline when a raw file lands in ${spec.datasets.join(', ')}`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.rawBucket.bucketName] },
          object: { key: spec.datasets.map((dataset) => ({ prefix: `${rawPrefix}/${dataset}/` })) },
        },
      },
      targets: [new targets.LambdaFunction(props.function, delivery)],
    });
  }
}
