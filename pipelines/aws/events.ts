/**
 * The EventBridge events the handler accepts, parsed with zod:
 * - a Scheduled Event (`source: aws.events`), whose `detail` may name the pipeline
 *   (`{ "pipeline": "ecommerce" }`; a plain schedule's `detail` is `{}`);
 * - an S3 Object Created event delivered through EventBridge (`source: aws.s3`), carrying
 *   `detail.bucket.name` and `detail.object.key` (EventBridge sends the key as stored, not URL-encoded).
 * - a stage event from the Step Functions state machine, `{ "pipeline": "customer-purchases",
 *   "stage": "silver", "runId": "<execution name>" }`: run one stage of a staged pipeline.
 * Anything else is a terminal `InvalidEventError`: the stack's rules route nothing else here, so an
 * unknown shape is a misconfiguration that should surface in the dead-letter queue.
 */
import { z } from 'zod';
import { InvalidEventError } from './errors.js';
import { STAGE_RUN_ID } from '../staged/run-stage.js';
import { PIPELINE_NAME } from './lambda-config.js';

/** The EventBridge envelope fields the handler routes on. */
const EnvelopeSchema = z.object({
  source: z.string(),
  'detail-type': z.string(),
});

/** A Scheduled Event; the stack's schedule rules send `detail: { pipeline }`. */
const ScheduledEventSchema = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  detail: z
    .object({ pipeline: z.string().regex(PIPELINE_NAME, 'lower-case letters, digits and -').optional() })
    .strict()
    .default({}),
});

/** An S3 Object Created event from EventBridge. */
const ObjectCreatedEventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1), size: z.number().nonnegative().optional(), etag: z.string().optional() }),
  }),
});

/** A stage event from the state machine: exactly these three fields. */
const StageEventSchema = z
  .object({
    pipeline: z.string().regex(PIPELINE_NAME, 'lower-case letters, digits and -'),
    stage: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -'),
    runId: z.string().regex(STAGE_RUN_ID, '1 to 80 letters, digits, - and _'),
  })
  .strict();

/** A parsed event. */
export type LakehouseEvent =
  | {
      /** A schedule fired. */
      kind: 'schedule';
      /** The pipeline the event names; undefined when the schedule did not name one. */
      pipeline: string | undefined;
    }
  | {
      /** An object landed in a bucket. */
      kind: 'object-created';
      /** The bucket. */
      bucket: string;
      /** The object's key. */
      key: string;
    }
  | {
      /** The state machine asks for one stage. */
      kind: 'stage';
      /** The pipeline the event names. */
      pipeline: string;
      /** The stage to run. */
      stage: string;
      /** The run the stage belongs to. */
      runId: string;
    };

/** Describe the first zod issue as `field: message`. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : '(event)';
  return `${field}: ${issue.message}`;
}

/** Parse an invocation payload; throws `InvalidEventError` for every shape the handler does not accept. */
export function parseEvent(event: unknown): LakehouseEvent {
  if (typeof event === 'object' && event !== null && 'stage' in event) {
    const parsed = StageEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidEventError(`invalid stage event: ${describe(parsed.error)}`);
    return { kind: 'stage', ...parsed.data };
  }
  const envelope = EnvelopeSchema.safeParse(event);
  if (!envelope.success) {
    throw new InvalidEventError(`not an EventBridge event (${describe(envelope.error)}); expected a Scheduled Event, an S3 Object Created event or a stage event`);
  }
  const { source, 'detail-type': detailType } = envelope.data;
  if (detailType === 'Scheduled Event') {
    const parsed = ScheduledEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidEventError(`invalid Scheduled Event from ${source}: ${describe(parsed.error)}`);
    return { kind: 'schedule', pipeline: parsed.data.detail.pipeline };
  }
  if (detailType === 'Object Created') {
    const parsed = ObjectCreatedEventSchema.safeParse(event);
    if (!parsed.success) throw new InvalidEventError(`invalid Object Created event from ${source}: ${describe(parsed.error)}`);
    return { kind: 'object-created', bucket: parsed.data.detail.bucket.name, key: parsed.data.detail.object.key };
  }
  throw new InvalidEventError(
    `unsupported event: detail-type ${JSON.stringify(detailType)} from ${JSON.stringify(source)}; expected "Scheduled Event" or "Object Created"`,
  );
}
