/**
 * The CDK stack (pipelines/infra), checked on its synthesized template with aws-cdk-lib/assertions,
 * against cdk-nag's AwsSolutions pack, and through `npx cdk synth` offline.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { parseEvent } from '../../pipelines/aws/events.js';
import { createHandler } from '../../pipelines/aws/handler.js';
import { loadLambdaConfig } from '../../pipelines/aws/lambda-config.js';
import type { RunPipelineRequest } from '../../pipelines/aws/run-pipeline-port.js';
import { buildLakehouseApp } from '../../pipelines/infra/lakehouse-app.js';
import { LakehouseStack } from '../../pipelines/infra/lakehouse-stack.js';
import { ECOMMERCE_PIPELINE, validatePipelineSpecs } from '../../pipelines/infra/pipeline-spec.js';

const run = promisify(execFile);

type Json = Record<string, any>;
type Statement = { Effect: 'Allow' | 'Deny'; Action?: string | string[]; Resource?: unknown; Principal?: unknown; Condition?: Json; Sid?: string };

let work: string;
let asset: string;
let cdkContext: Record<string, unknown>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lakehouse-infra-'));
  asset = join(work, 'asset');
  await mkdir(asset);
  await writeFile(join(asset, 'index.mjs'), 'export const handler = async () => ({ outcome: "ignored", reason: "stub" });\n');
  cdkContext = (JSON.parse(await readFile('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

let appCount = 0;
/** A new app with cdk.json's context (plus `context`), as `npx cdk synth` builds it. */
function newApp(context: Record<string, unknown> = {}): App {
  appCount += 1;
  return new App({ context: { ...cdkContext, ...context }, outdir: join(work, `cdk.out-${appCount}`) });
}

/**
 * The stack as the CDK app builds it, with the nag pack registered. These tests look at one pipeline's
 * resources, so they deploy the e-commerce pipeline alone (`lakehouse:pipelines`); the default stack of
 * all three pipelines and the customer-purchases state machine are tested in infra-state-machine.test.ts.
 */
function buildStack(context: Record<string, unknown> = {}): LakehouseStack {
  return buildLakehouseApp(newApp({ 'lakehouse:pipelines': 'ecommerce', ...context }), { lambdaAssetPath: asset });
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The one resource of `type` (fails unless there is exactly one). */
function only(template: Template, type: string, props: Json = {}): { id: string; resource: Json } {
  const found = Object.entries(template.findResources(type, props));
  expect(found).toHaveLength(1);
  const [id, resource] = found[0]!;
  return { id, resource: resource as Json };
}

/** Render `Ref` and `Fn::Join` with fake names so a templated value can be fed to the handler's parsers. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if (v.Ref) return String(v.Ref).toLowerCase();
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0] as string);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** Identity-based policy statements (role and policy documents), by resource id. */
function identityStatements(template: Template): Array<{ id: string; statement: Statement }> {
  const out: Array<{ id: string; statement: Statement }> = [];
  for (const [id, r] of Object.entries(template.toJSON().Resources as Record<string, Json>)) {
    const docs: Json[] = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(r.Properties.PolicyDocument);
    if (r.Type === 'AWS::IAM::Role') for (const p of asArray<Json>(r.Properties.Policies)) docs.push(p.PolicyDocument);
    for (const doc of docs) for (const statement of asArray<Statement>(doc.Statement)) out.push({ id, statement });
  }
  return out;
}

/** Resource-based policy statements (bucket, queue, topic and key policies), by resource id. */
function resourceStatements(template: Template): Array<{ id: string; type: string; statement: Statement }> {
  const out: Array<{ id: string; type: string; statement: Statement }> = [];
  const docs: Record<string, string> = {
    'AWS::S3::BucketPolicy': 'PolicyDocument',
    'AWS::SQS::QueuePolicy': 'PolicyDocument',
    'AWS::SNS::TopicPolicy': 'PolicyDocument',
    'AWS::KMS::Key': 'KeyPolicy',
  };
  for (const [id, r] of Object.entries(template.toJSON().Resources as Record<string, Json>)) {
    const property = docs[r.Type as string];
    if (!property) continue;
    for (const statement of asArray<Statement>(r.Properties[property].Statement)) out.push({ id, type: r.Type as string, statement });
  }
  return out;
}

const hasWildcardAction = (s: Statement): boolean => asArray(s.Action).some((a) => a.includes('*'));
const hasStarResource = (s: Statement): boolean => asArray(s.Resource).some((r) => r === '*');

/** The acknowledged rule ids and reasons recorded on the constructs under `scope`. */
function acknowledgements(scope: IConstruct): Map<string, string> {
  const acks = new Map<string, string>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acks.set(id.replace(/^annotation::/i, ''), reason);
    }
  }
  return acks;
}

/** The AwsSolutions findings with every acknowledgement ignored (cdk-nag's private check, overridden). */
function unacknowledgedFindings(scope: IConstruct): string[] {
  class Everything extends AwsSolutionsChecks {}
  // cdk-nag 3 consults `isAcknowledged` for every finding; if it is renamed this test fails loudly.
  expect(typeof (AwsSolutionsChecks.prototype as unknown as Json).isAcknowledged).toBe('function');
  (Everything.prototype as unknown as Json).isAcknowledged = () => false;
  return new Everything().validateScope(scope).violations.map((v) => v.ruleName).sort();
}

describe('buckets', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(buildStack());
  });

  test('raw, processed and access-log buckets: S3-managed encryption, public access blocked, no ACLs, multipart uploads aborted after 1 day', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(3);
    for (const bucket of Object.values(buckets) as Json[]) {
      expect(bucket.Properties.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual({
        Id: 'abort-incomplete-multipart-uploads',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
  });

  test('every bucket policy denies requests without TLS, and TLS below 1.2', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(3);
    for (const policy of Object.values(policies) as Json[]) {
      const statements = policy.Properties.PolicyDocument.Statement as Statement[];
      const bucket = policy.Properties.Bucket.Ref as string;
      const everything = [{ 'Fn::GetAtt': [bucket, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] }];
      expect(statements).toContainEqual({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: everything });
      expect(statements).toContainEqual({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } }, Resource: everything });
    }
  });

  test('processed is versioned and expires old versions and Athena results; raw sends EventBridge notifications; both log to the access-log bucket', () => {
    const processed = only(template, 'AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } });
    expect(processed.resource.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        { Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' },
        { Id: 'expire-athena-results', Prefix: 'athena-results/', ExpirationInDays: 30, Status: 'Enabled' },
      ]),
    );
    const raw = only(template, 'AWS::S3::Bucket', { Properties: { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } } });
    expect(raw.resource.Properties.VersioningConfiguration).toBeUndefined();
    const logs = only(template, 'AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.absent() } });
    expect(raw.resource.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logs.id }, LogFilePrefix: 'raw/' });
    expect(processed.resource.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logs.id }, LogFilePrefix: 'processed/' });
    // Notifications through CloudFormation itself: no notifications custom resource and its "*" role.
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });
});

describe('Glue and Athena', () => {
  test('the Glue database and a work group with enforced settings, encrypted results in the processed bucket and a bytes-scanned cutoff', () => {
    const template = Template.fromStack(buildStack());
    template.hasResourceProperties('AWS::Glue::Database', { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseInput: { Name: 'ecommerce' } });
    const processed = only(template, 'AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } } }).id;
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'lakehouse-etl',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        PublishCloudWatchMetricsEnabled: true,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: processed }, '/athena-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  test('the cutoff and the work group name come from context; a cutoff under 10 MB is refused', () => {
    const template = Template.fromStack(buildStack({ 'lakehouse:bytesScannedCutoff': '1000000000', 'lakehouse:workGroupName': 'lakehouse-test' }));
    template.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'lakehouse-test', WorkGroupConfiguration: { BytesScannedCutoffPerQuery: 1_000_000_000 } });
    expect(() => buildStack({ 'lakehouse:bytesScannedCutoff': 5000 })).toThrow(/context lakehouse:bytesScannedCutoff/);
  });
});

describe('the pipeline function', () => {
  let stack: LakehouseStack;
  let template: Template;
  beforeAll(() => {
    stack = buildStack();
    template = Template.fromStack(stack);
  });

  test('Node 20, the bundled asset, sized for ingest, its own role, dead-letter queue and retries', () => {
    const fn = only(template, 'AWS::Lambda::Function').resource.Properties;
    const role = only(template, 'AWS::IAM::Role').id;
    const queue = only(template, 'AWS::SQS::Queue').id;
    const logs = only(template, 'AWS::Logs::LogGroup');
    expect(fn).toEqual(
      expect.objectContaining({
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        MemorySize: 3008,
        Timeout: 900,
        EphemeralStorage: { Size: 2048 },
        Role: { 'Fn::GetAtt': [role, 'Arn'] },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        LoggingConfig: { LogGroup: { Ref: logs.id } },
      }),
    );
    expect(fn.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    expect(logs.resource.Properties.RetentionInDays).toBe(365);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600, Qualifier: '$LATEST' });
  });

  test('reserved concurrency, memory, timeout and runtime are configurable from context', () => {
    const custom = Template.fromStack(
      buildStack({ 'lakehouse:reservedConcurrency': 4, 'lakehouse:memorySize': 4096, 'lakehouse:timeoutMinutes': 10, 'lakehouse:runtime': 'nodejs24.x' }),
    );
    custom.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 4, MemorySize: 4096, Timeout: 600, Runtime: 'nodejs24.x' });
    expect(() => buildStack({ 'lakehouse:runtime': 'nodejs18.x' })).toThrow(/context lakehouse:runtime/);
  });

  test('its environment is exactly what the handler’s config schema accepts', () => {
    const env = only(template, 'AWS::Lambda::Function').resource.Properties.Environment.Variables as Record<string, unknown>;
    const rendered = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, render(v)]));
    const raw = stack.getLogicalId(stack.storage.raw.node.defaultChild as s3.CfnBucket).toLowerCase();
    const processed = stack.getLogicalId(stack.storage.processed.node.defaultChild as s3.CfnBucket).toLowerCase();
    expect(loadLambdaConfig(rendered)).toEqual({
      raw: `s3://${raw}/ecommerce`,
      warehouse: `s3://${processed}/warehouse`,
      format: 'delta',
      database: 'ecommerce',
      workGroup: stack.getLogicalId(stack.workGroup.resource).toLowerCase(),
      athenaOutput: `s3://${processed}/athena-results/`,
      pipeline: 'ecommerce',
      datasets: ['products', 'orders', 'order_items'],
    });
    expect(env.ATHENA_WORKGROUP).toEqual({ Ref: stack.getLogicalId(stack.workGroup.resource) });
  });
});

describe('EventBridge rules', () => {
  let stack: LakehouseStack;
  let template: Template;
  beforeAll(() => {
    stack = buildStack();
    template = Template.fromStack(stack);
  });

  test('a daily schedule whose input is a Scheduled Event naming the pipeline, which the handler runs', async () => {
    const rule = only(template, 'AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }).resource.Properties;
    expect(rule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    const fn = only(template, 'AWS::Lambda::Function').id;
    const queue = only(template, 'AWS::SQS::Queue').id;
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 },
      }),
    ]);
    const input = JSON.parse(rule.Targets[0].Input as string) as unknown;
    expect(parseEvent(input)).toEqual({ kind: 'schedule', pipeline: 'ecommerce' });
    const requests: RunPipelineRequest[] = [];
    const env = Object.fromEntries(
      Object.entries(only(template, 'AWS::Lambda::Function').resource.Properties.Environment.Variables as Record<string, unknown>).map(([k, v]) => [k, render(v)]),
    );
    const handler = createHandler({ runPipeline: async (r) => (requests.push(r), { status: 'succeeded', runId: 'r1' }), env, log: () => undefined });
    await handler(input);
    expect(requests).toEqual([expect.objectContaining({ pipeline: 'ecommerce', trigger: 'schedule' })]);
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Schedule'), 'Arn'] } });
  });

  test('the schedule is configurable from context', () => {
    const custom = Template.fromStack(buildStack({ 'lakehouse:schedule': 'rate(6 hours)' }));
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    expect(() => buildStack({ 'lakehouse:schedule': 'every day' })).toThrow(/context lakehouse:schedule: a cron\(\.\.\.\) or rate\(\.\.\.\) expression/);
  });

  test('Object Created in the raw bucket under each dataset folder invokes the function', () => {
    const raw = stack.getLogicalId(stack.storage.raw.node.defaultChild as s3.CfnBucket);
    const rule = only(template, 'AWS::Events::Rule', { Properties: { EventPattern: Match.anyValue() } }).resource.Properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: raw }] },
        object: { key: [{ prefix: 'ecommerce/products/' }, { prefix: 'ecommerce/orders/' }, { prefix: 'ecommerce/order_items/' }] },
      },
    });
    const queue = only(template, 'AWS::SQS::Queue').id;
    expect(rule.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } });
    expect(rule.Targets[0].Input).toBeUndefined();
  });
});

describe('dead-letter queue, alarms and the alarm topic', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(buildStack());
  });

  test('the DLQ is encrypted, keeps messages 14 days, refuses non-TLS access, and admits EventBridge only from the stack’s rules', () => {
    const queue = only(template, 'AWS::SQS::Queue');
    expect(queue.resource.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    const statements = only(template, 'AWS::SQS::QueuePolicy').resource.Properties.PolicyDocument.Statement as Statement[];
    expect(statements).toContainEqual({
      Effect: 'Deny',
      Action: 'sqs:*',
      Principal: { AWS: '*' },
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] },
    });
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(2);
    for (const s of allows) {
      expect(s).toEqual(expect.objectContaining({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } }));
      expect(s.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^EcommerceTriggers/), 'Arn'] } } });
    }
  });

  test('alarms on Lambda errors and on DLQ depth notify the SNS topic', () => {
    const topic = only(template, 'AWS::SNS::Topic').id;
    const fn = only(template, 'AWS::Lambda::Function').id;
    const queue = only(template, 'AWS::SQS::Queue').id;
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
  });

  test('the topic is encrypted with a rotated customer key CloudWatch may use, publishes over TLS only, and admits this account’s alarms', () => {
    const key = only(template, 'AWS::KMS::Key');
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
    const topic = only(template, 'AWS::SNS::Topic');
    expect(topic.resource.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    expect(key.resource.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'CloudWatchAlarmsPublishEncrypted',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
    });
    const statements = only(template, 'AWS::SNS::TopicPolicy').resource.Properties.PolicyDocument.Statement as Statement[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Resource: { Ref: topic.id },
        Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
      }),
    );
  });

  test('an alarm e-mail from context subscribes to the topic', () => {
    const withEmail = Template.fromStack(buildStack({ 'lakehouse:alarmEmail': 'data-oncall@example.com' }));
    withEmail.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'data-oncall@example.com' });
    expect(() => buildStack({ 'lakehouse:alarmEmail': 'not an address' })).toThrow(/context lakehouse:alarmEmail/);
  });
});

describe('least-privilege IAM', () => {
  let stack: LakehouseStack;
  let template: Template;
  beforeAll(() => {
    stack = buildStack();
    template = Template.fromStack(stack);
  });

  test('no identity policy allows a wildcard action or Resource "*", and no managed policy is attached', () => {
    const statements = identityStatements(template);
    expect(statements.length).toBeGreaterThan(5);
    expect(statements.filter(({ statement }) => hasWildcardAction(statement) || hasStarResource(statement))).toEqual([]);
    expect(statements.filter(({ statement }) => statement.Effect !== 'Allow')).toEqual([]);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Json[]) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('resource policies use wildcard actions only to deny, and Resource "*" only in the KMS key policy, where it means the key', () => {
    const statements = resourceStatements(template);
    expect(statements.filter(({ statement }) => statement.Effect === 'Allow' && hasWildcardAction(statement) && statement.Sid === undefined)).toEqual([
      // AWS's default key policy: the account administers its own key through IAM; without it the key is unmanageable.
      {
        id: only(template, 'AWS::KMS::Key').id,
        type: 'AWS::KMS::Key',
        statement: {
          Effect: 'Allow',
          Action: 'kms:*',
          Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
          Resource: '*',
        },
      },
    ]);
    expect(statements.filter(({ statement }) => statement.Effect === 'Allow' && hasWildcardAction(statement) && statement.Sid !== undefined)).toEqual([]);
    expect(statements.filter(({ type, statement }) => hasStarResource(statement) && type !== 'AWS::KMS::Key')).toEqual([]);
  });

  test('the function may touch only its raw folder, its tables, the ledger, Athena results, its Glue database and the work group', () => {
    const raw = stack.getLogicalId(stack.storage.raw.node.defaultChild as s3.CfnBucket);
    const processed = stack.getLogicalId(stack.storage.processed.node.defaultChild as s3.CfnBucket);
    const objects = (bucket: string, path: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, path]] });
    const glueArn = (tail: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, tail]] });
    const policy = only(template, 'AWS::IAM::Policy', { Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'GlueCatalog' })]) } } });
    const bySid: Record<string, Statement> = Object.fromEntries((policy.resource.Properties.PolicyDocument.Statement as Statement[]).map((s) => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(
      ['AthenaQueries', 'AthenaResultObjects', 'GlueCatalog', 'Logs', 'ProcessedBucket', 'RawList', 'RawObjects', 'WarehouseObjects'].sort(),
    );
    expect(bySid.GlueCatalog).toEqual({
      Sid: 'GlueCatalog',
      Effect: 'Allow',
      Action: ['glue:CreateDatabase', 'glue:CreateTable', 'glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:UpdateTable'],
      Resource: [glueArn(':catalog'), glueArn(':database/ecommerce'), glueArn(':table/ecommerce/*')],
    });
    expect(bySid.AthenaQueries).toEqual({
      Sid: 'AthenaQueries',
      Effect: 'Allow',
      Action: ['athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StartQueryExecution', 'athena:StopQueryExecution'],
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':athena:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':workgroup/', { Ref: stack.getLogicalId(stack.workGroup.resource) }]],
      },
    });
    const objectActions = ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'];
    expect(bySid.RawObjects).toEqual(expect.objectContaining({ Action: objectActions, Resource: objects(raw, '/ecommerce/*') }));
    expect(bySid.WarehouseObjects).toEqual(
      expect.objectContaining({ Action: objectActions, Resource: [objects(processed, '/warehouse/_lakehouse/*'), objects(processed, '/warehouse/processed/ecommerce/*')] }),
    );
    expect(bySid.AthenaResultObjects).toEqual(expect.objectContaining({ Resource: objects(processed, '/athena-results/*') }));
    expect(asArray(bySid.AthenaResultObjects!.Action)).not.toContain('s3:DeleteObject');
    // Bucket-level: the bucket ARNs themselves, no condition (a condition on s3:prefix would turn S3's 404s into 403s).
    expect(bySid.RawList).toEqual({ Sid: 'RawList', Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [raw, 'Arn'] } });
    expect(bySid.ProcessedBucket).toEqual({
      Sid: 'ProcessedBucket',
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
      Resource: { 'Fn::GetAtt': [processed, 'Arn'] },
    });
    // Every S3 statement names one of the two buckets: nothing reaches the access-log bucket or any other.
    const s3Resources = Object.values(bySid)
      .filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')))
      .flatMap((st) => asArray(st.Resource));
    expect(s3Resources.length).toBeGreaterThan(5);
    for (const resource of s3Resources) expect(JSON.stringify(resource)).toMatch(new RegExp(`"(${raw}|${processed})","Arn"`));
    expect(bySid.Logs).toEqual(
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [only(template, 'AWS::Logs::LogGroup').id, 'Arn'] } }),
    );
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('finds nothing unacknowledged', () => {
    const stack = buildStack();
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('every acknowledgement answers a real finding and gives a written reason; there are no others', () => {
    const stack = buildStack();
    const acks = acknowledgements(stack);
    expect(unacknowledgedFindings(stack)).toEqual([...acks.keys()].sort());
    const raw = stack.getLogicalId(stack.storage.raw.node.defaultChild as s3.CfnBucket);
    const processed = stack.getLogicalId(stack.storage.processed.node.defaultChild as s3.CfnBucket);
    expect([...acks.keys()].sort()).toEqual(
      [
        'AwsSolutions-L1',
        `AwsSolutions-IAM5[Resource::<${raw}.Arn>/ecommerce/*]`,
        `AwsSolutions-IAM5[Resource::<${processed}.Arn>/warehouse/processed/ecommerce/*]`,
        `AwsSolutions-IAM5[Resource::<${processed}.Arn>/warehouse/_lakehouse/*]`,
        `AwsSolutions-IAM5[Resource::<${processed}.Arn>/athena-results/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/ecommerce/*]',
      ].sort(),
    );
    for (const [id, reason] of acks) {
      expect(reason.length).toBeGreaterThan(40);
      if (id.startsWith('AwsSolutions-IAM5')) expect(reason).toMatch(/^Scoped wildcard in a resource path, not an action: /);
    }
    expect(acks.get('AwsSolutions-L1')).toMatch(/Node\.js 20/);
  });

  test('the check can fail: an unencrypted, unlogged bucket is reported, and synth refuses it', () => {
    const app = newApp();
    const stack = buildLakehouseApp(app, { lambdaAssetPath: asset });
    new s3.Bucket(stack, 'Careless', { encryption: s3.BucketEncryption.UNENCRYPTED });
    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});

describe('more pipelines', () => {
  test('each pipeline gets its own function, schedule, S3 rule and database, with IAM scoped to its own', () => {
    const app = newApp();
    const stack = new LakehouseStack(app, 'Two', {
      lambdaAssetPath: asset,
      pipelines: [ECOMMERCE_PIPELINE, { name: 'customer-transactions', database: 'customer_transactions', datasets: ['transactions'], schedule: 'cron(30 3 * * ? *)' }],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::Glue::Database', 2);
    template.resourceCountIs('AWS::Events::Rule', 4);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 3 * * ? *)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: { pipeline: 'customer-transactions' } }) })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PIPELINE: 'customer-transactions', GLUE_DATABASE: 'customer_transactions', DATASETS: 'transactions' }) },
    });
    const glue = identityStatements(template).filter(({ statement }) => statement.Sid === 'GlueCatalog');
    expect(glue).toHaveLength(2);
    const tables = glue.map(({ statement }) => JSON.stringify(statement.Resource).match(/table\/([a-z_]+)\/\*/)![1]).sort();
    expect(tables).toEqual(['customer_transactions', 'ecommerce']);
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  test('pipeline specs are validated', () => {
    expect(() => validatePipelineSpecs([])).toThrow(/at least one pipeline/);
    expect(() => validatePipelineSpecs([ECOMMERCE_PIPELINE, ECOMMERCE_PIPELINE])).toThrow(/listed twice/);
    expect(() => validatePipelineSpecs([ECOMMERCE_PIPELINE, { name: 'other', database: 'other', datasets: [], rawPrefix: 'ecommerce/sub' }])).toThrow(/overlaps/);
    expect(() => validatePipelineSpecs([{ ...ECOMMERCE_PIPELINE, datasets: ['archived'] }])).toThrow(/dataset "archived"/);
    expect(() => validatePipelineSpecs([{ ...ECOMMERCE_PIPELINE, database: 'E-Commerce' }])).toThrow(/database/);
  });
});

describe('synthesis', () => {
  test('app.synth() in process writes the template and a validation report with no AwsSolutions finding', async () => {
    const app = newApp();
    buildLakehouseApp(app, { lambdaAssetPath: asset });
    const assembly = app.synth();
    const stack = assembly.getStackByName('LakehouseEtl');
    expect(Object.keys(stack.template.Resources as Json).length).toBeGreaterThan(20);
    const report = await readFile(join(assembly.directory, 'validation-report.json'), 'utf8').catch(() => '');
    expect(report).not.toMatch(/AwsSolutions-/);
  });

  /**
   * Runs cdk.json's `app` command the way the CDK CLI does (context in CDK_CONTEXT_JSON, output
   * folder in CDK_OUTDIR), with no AWS credentials or account anywhere in the environment.
   * (`npx cdk synth` itself needs a CLI that reads this aws-cdk-lib's cloud assembly schema.)
   */
  async function runCdkApp(outdir: string, context: Record<string, unknown>): Promise<{ code: number; stderr: string }> {
    const cdkJson = JSON.parse(await readFile('cdk.json', 'utf8')) as { app: string; context: Record<string, unknown> };
    const [command, ...args] = cdkJson.app.split(' ');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
    Object.assign(env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, ...context }),
    });
    try {
      const { stderr } = await run(command!, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
      return { code: 0, stderr };
    } catch (err) {
      const e = err as { code?: number; stderr?: string };
      return { code: e.code ?? -1, stderr: e.stderr ?? String(err) };
    }
  }

  test('cdk.json’s app command synthesizes offline, with no AWS account or credentials', async () => {
    const out = join(work, 'cli.out');
    const result = await runCdkApp(out, { 'lakehouse:lambdaAsset': asset });
    expect(result).toEqual({ code: 0, stderr: expect.not.stringMatching(/AwsSolutions-/) as unknown as string });
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { environment?: string }> };
    expect(manifest.artifacts.LakehouseEtl?.environment).toMatch(/^aws:\/\/unknown-account\//);
    const template = JSON.parse(await readFile(join(out, 'LakehouseEtl.template.json'), 'utf8')) as { Resources: Record<string, Json> };
    // By default the stack deploys all three pipelines, one function each, and customer-purchases' state machine.
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(3);
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect((await readdir(out)).filter((f) => f.startsWith('asset.'))).toHaveLength(1);
  });

  test('the app registers the nag pack: an unacknowledged finding fails synthesis', async () => {
    // nodejs22.x is not the latest runtime, and only nodejs20.x (the project's target) is acknowledged.
    const result = await runCdkApp(join(work, 'cli-fail.out'), { 'lakehouse:lambdaAsset': asset, 'lakehouse:runtime': 'nodejs22.x' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/AwsSolutions-L1/);
  });
});

test('the stack is environment-agnostic unless CDK_DEFAULT_ACCOUNT/REGION are set (no lookups)', () => {
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  try {
    delete process.env.CDK_DEFAULT_ACCOUNT;
    delete process.env.CDK_DEFAULT_REGION;
    const agnostic = buildStack();
    expect(agnostic.resolve(agnostic.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(agnostic.resolve(agnostic.region)).toEqual({ Ref: 'AWS::Region' });
    process.env.CDK_DEFAULT_ACCOUNT = '111111111111';
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    const pinned = buildStack();
    expect([pinned.account, pinned.region]).toEqual(['111111111111', 'eu-west-1']);
  } finally {
    for (const [key, value] of [['CDK_DEFAULT_ACCOUNT', saved.account], ['CDK_DEFAULT_REGION', saved.region]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
});
