/**
 * The lakehouse on AWS: buckets, Glue databases, the Athena work group, and per pipeline a Lambda
 * function with its own schedule and S3 rules; one dead-letter queue and one alarm topic for all.
 * A pipeline whose stages run as a state machine (customer-purchases) gets a Step Functions state
 * machine too, and its rules start that instead of the function. Pipelines that serve PostgreSQL read
 * its URL from a Secrets Manager secret (`databaseUrlSecret`). The shared parts are public fields;
 * a new scheduled pipeline is one more entry in `pipelines`.
 */
import { checkRates } from '../../validation/contracts/customer-purchases.js';
import { Duration, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { AlertTopic } from './alert-topic.js';
import { AthenaWorkGroup } from './athena-work-group.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { GlueDatabases } from './glue-databases.js';
import { PipelineFunction } from './pipeline-function.js';
import { ALL_PIPELINES, DEFAULT_SCHEDULE, runsAsStateMachine, servesPostgres, validatePipelineSpecs, type PipelineSpec } from './pipeline-spec.js';
import { PipelineTriggers } from './pipeline-triggers.js';
import { StageStateMachine } from './stage-state-machine.js';
import { LakehouseStorage } from './storage.js';

/** 10 GiB: a generous ceiling per query for the reports; raise it per deployment if needed. */
export const DEFAULT_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

/** Options of {@link LakehouseStack}. */
export interface LakehouseStackProps extends StackProps {
  /** Folder holding the Lambda bundle (index.mjs), as built by pipelines/aws/bundle.ts. */
  lambdaAssetPath: string;
  /** The pipelines to deploy; {@link ALL_PIPELINES} (e-commerce, customer-transactions, customer-purchases) when absent. */
  pipelines?: readonly PipelineSpec[];
  /** Schedule of pipelines that name none; daily at 02:00 UTC when absent. */
  schedule?: string;
  /** Table format the pipelines write; `delta` when absent. */
  format?: 'delta' | 'iceberg';
  /** Athena work group name; `lakehouse-etl` when absent. */
  workGroupName?: string;
  /** Athena per-query bytes-scanned cutoff; {@link DEFAULT_BYTES_SCANNED_CUTOFF} when absent. */
  bytesScannedCutoffPerQuery?: number;
  /** Lambda runtime; Node.js 20 (the project's target) when absent. */
  runtime?: lambda.Runtime;
  /** Function memory in MiB; 3008 when absent (CPU scales with memory; ingest is CPU-bound). */
  memorySize?: number;
  /** Function timeout; 15 minutes (Lambda's maximum) when absent. */
  timeout?: Duration;
  /** Reserved concurrency per pipeline function; unreserved when absent. */
  reservedConcurrency?: number;
  /** Address subscribed to the alarm topic. */
  alarmEmail?: string;
  /**
   * Secrets Manager secret (its name or full ARN) whose value is the PostgreSQL URL
   * (`postgres://user:password@host:5432/database`) the serve stages write to. The functions of pipelines
   * with a serve stage get it as `DATABASE_URL`, through a CloudFormation dynamic reference resolved at
   * deploy time. Absent: those serve stages fail with a terminal error saying to set it.
   */
  databaseUrlSecret?: string;
  /** customer-purchases rate table, AUD per unit (`{ USD: 1.5, AUD: 1, EUR: 1.65 }`), given to its function as `RATES`; the pipeline's default (USD 1.5, AUD 1) when absent. */
  rates?: Readonly<Record<string, number>>;
}

/** A secret name (letters, digits, `/_+=.@-`) or a Secrets Manager ARN. */
const SECRET_ID = /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$/;

/** The lakehouse stack. */
export class LakehouseStack extends Stack {
  /** Raw, processed and access-log buckets. */
  readonly storage: LakehouseStorage;
  /** Glue databases of the pipelines. */
  readonly databases: GlueDatabases;
  /** The Athena work group. */
  readonly workGroup: AthenaWorkGroup;
  /** The alarm topic. */
  readonly alerts: AlertTopic;
  /** Dead-letter queue of every asynchronous invocation and EventBridge target. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** Each pipeline's function, by pipeline name. */
  readonly functions: ReadonlyMap<string, PipelineFunction>;
  /** Each pipeline's rules, by pipeline name. */
  readonly triggers: ReadonlyMap<string, PipelineTriggers>;
  /** The state machines of the pipelines whose stages run as one, by pipeline name. */
  readonly stateMachines: ReadonlyMap<string, StageStateMachine>;

  constructor(scope: Construct, id: string, props: LakehouseStackProps) {
    super(scope, id, props);
    const pipelines = props.pipelines ?? ALL_PIPELINES;
    validatePipelineSpecs(pipelines);
    if (props.databaseUrlSecret !== undefined && !SECRET_ID.test(props.databaseUrlSecret)) {
      throw new Error(`databaseUrlSecret ${JSON.stringify(props.databaseUrlSecret)} is neither a secret name nor a Secrets Manager ARN`);
    }
    // Resolved by CloudFormation at deploy time into the function's environment (see the README's trade-off).
    const databaseUrl = props.databaseUrlSecret === undefined ? undefined : SecretValue.secretsManager(props.databaseUrlSecret).unsafeUnwrap();
    const rates = props.rates === undefined ? undefined : Object.entries(checkRates(props.rates)).map(([code, rate]) => `${code}=${rate}`).join(',');
    this.storage = new LakehouseStorage(this, 'Storage');
    this.databases = new GlueDatabases(this, 'Glue', pipelines.map((p) => p.database));
    this.workGroup = new AthenaWorkGroup(this, 'Athena', {
      name: props.workGroupName ?? 'lakehouse-etl',
      outputLocation: this.storage.athenaResultsUri,
      bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF,
    });
    this.alerts = new AlertTopic(this, 'Alerts', props.alarmEmail ? { email: props.alarmEmail } : {});
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters');
    this.alerts.notifyOn(this.deadLetterQueue.depthAlarm);
    const code = lambda.Code.fromAsset(props.lambdaAssetPath);
    const functions = new Map<string, PipelineFunction>();
    const triggers = new Map<string, PipelineTriggers>();
    const stateMachines = new Map<string, StageStateMachine>();
    for (const spec of pipelines) {
      const id = pascalCase(spec.name);
      const fn = new PipelineFunction(this, `${id}Pipeline`, {
        spec,
        storage: this.storage,
        databases: this.databases,
        workGroup: this.workGroup,
        deadLetterQueue: this.deadLetterQueue.queue,
        code,
        runtime: props.runtime ?? lambda.Runtime.NODEJS_20_X,
        memorySize: props.memorySize ?? 3008,
        timeout: props.timeout ?? Duration.minutes(15),
        ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrency: props.reservedConcurrency }),
        format: props.format ?? 'delta',
        ...(databaseUrl !== undefined && servesPostgres(spec) ? { databaseUrl } : {}),
        ...(rates !== undefined && spec.name === 'customer-purchases' ? { rates } : {}),
      });
      // Glue databases are created before any function that registers tables in them runs.
      fn.function.node.addDependency(this.databases);
      this.alerts.notifyOn(fn.errorAlarm);
      functions.set(spec.name, fn);
      let stateMachine: StageStateMachine | undefined;
      if (runsAsStateMachine(spec)) {
        stateMachine = new StageStateMachine(this, `${id}Stages`, { spec, function: fn.function, alerts: this.alerts });
        this.alerts.notifyOn(stateMachine.timedOutAlarm);
        stateMachines.set(spec.name, stateMachine);
      }
      triggers.set(
        spec.name,
        new PipelineTriggers(this, `${id}Triggers`, {
          spec,
          function: fn.function,
          ...(stateMachine ? { stateMachine: stateMachine.stateMachine } : {}),
          rawBucket: this.storage.raw,
          schedule: spec.schedule ?? props.schedule ?? DEFAULT_SCHEDULE,
          deadLetterQueue: this.deadLetterQueue.queue,
        }),
      );
    }
    this.functions = functions;
    this.triggers = triggers;
    this.stateMachines = stateMachines;
  }
}

/** `customer-transactions` as `CustomerTransactions`, for construct ids. */
function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
