/**
 * What starts a pipeline: its own schedule rule (daily by default), whose input is a Scheduled Event
 * naming the pipeline, and an S3 Object Created rule matching the raw bucket and the pipeline's dataset
 * folders. Both target the pipeline's function, or its state machine when it has one (the execution's
 * input is the event; the tasks take only its name as the run id). Both retry delivery and send
 * undeliverable events to the dead-letter queue.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { rawPrefixOf, type PipelineSpec } from './pipeline-spec.js';

/** Options of {@link PipelineTriggers}. */
export interface PipelineTriggersProps {
  /** The pipeline. */
  spec: PipelineSpec;
  /** Its function. */
  function: lambda.IFunction;
  /** Its state machine, if its stages run as one: the rules start it instead of invoking the function. */
  stateMachine?: sfn.IStateMachine;
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
    const target = (event?: events.RuleTargetInput): events.IRuleTarget => {
      const options = { ...delivery, ...(event ? { input: event } : {}) };
      return props.stateMachine ? new targets.SfnStateMachine(props.stateMachine, options) : new targets.LambdaFunction(props.function, { ...delivery, ...(event ? { event } : {}) });
    };
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `lakehouse-etl: run the ${spec.name} pipeline over new raw files`,
      schedule: events.Schedule.expression(props.schedule),
      targets: [target(events.RuleTargetInput.fromObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: { pipeline: spec.name } }))],
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
      targets: [target()],
    });
  }
}
