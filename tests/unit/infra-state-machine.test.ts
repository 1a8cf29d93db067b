/**
 * The default stack of all three pipelines (pipelines/infra): one schedule rule per pipeline, the
 * customer-purchases Step Functions state machine (its four stages in order, each a Lambda task with
 * Retry and a Catch to an SNS publish on the alarm topic), the PostgreSQL URL secret, and cdk-nag.
 */
import { parseRates } from '../../pipelines/cli/rates-option.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { TERMINAL_STAGE_ERROR, TRANSIENT_STAGE_ERROR } from '../../pipelines/aws/errors.js';
import { buildLakehouseApp } from '../../pipelines/infra/lakehouse-app.js';
import type { LakehouseStack } from '../../pipelines/infra/lakehouse-stack.js';
import { ALL_PIPELINES, CUSTOMER_PURCHASES_PIPELINE, CUSTOMER_TRANSACTIONS_PIPELINE, validatePipelineSpecs } from '../../pipelines/infra/pipeline-spec.js';
import { LAMBDA_SERVICE_ERRORS } from '../../pipelines/infra/stage-state-machine.js';
import { definitionOf, type AslDefinition } from '../support/asl-interpreter.js';

type Json = Record<string, any>;

let work: string;
let asset: string;
let cdkContext: Record<string, unknown>;
let appCount = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lakehouse-sfn-'));
  asset = join(work, 'asset');
  await mkdir(asset);
  await writeFile(join(asset, 'index.mjs'), 'export const handler = async () => ({ outcome: "ignored", reason: "stub" });\n');
  cdkContext = (JSON.parse(await readFile('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The stack as the CDK app builds it from cdk.json's context plus `context`. */
function buildStack(context: Record<string, unknown> = {}): LakehouseStack {
  appCount += 1;
  const app = new App({ context: { ...cdkContext, ...context }, outdir: join(work, `cdk.out-${appCount}`) });
  return buildLakehouseApp(app, { lambdaAssetPath: asset });
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Logical id of each pipeline's function, by its PIPELINE variable. */
function functionIds(template: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) out[(fn as Json).Properties.Environment.Variables.PIPELINE as string] = id;
  return out;
}

describe('the default stack: all three pipelines', () => {
  let stack: LakehouseStack;
  let template: Template;
  beforeAll(() => {
    stack = buildStack();
    template = Template.fromStack(stack);
  });

  test('one function and one Glue database per pipeline', () => {
    expect(ALL_PIPELINES.map((p) => p.name)).toEqual(['ecommerce', 'customer-transactions', 'customer-purchases']);
    expect(Object.keys(functionIds(template)).sort()).toEqual(['customer-purchases', 'customer-transactions', 'ecommerce']);
    const databases = Object.values(template.findResources('AWS::Glue::Database')).map((d) => (d as Json).Properties.DatabaseInput.Name as string);
    expect(databases.sort()).toEqual(['customer_purchases', 'customer_transactions', 'ecommerce']);
  });

  test('one daily schedule rule per pipeline; customer-purchases’ targets its state machine, the others their functions', () => {
    const ids = functionIds(template);
    const machine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine).toHaveLength(1);
    const schedules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } })) as Json[];
    expect(schedules).toHaveLength(3);
    const byPipeline = new Map<string, Json>();
    for (const rule of schedules) {
      expect(rule.Properties.ScheduleExpression).toBe('cron(0 2 * * ? *)');
      const [target] = rule.Properties.Targets as Json[];
      const pipeline = (JSON.parse(target!.Input as string) as { detail: { pipeline: string } }).detail.pipeline;
      expect(byPipeline.has(pipeline)).toBe(false);
      byPipeline.set(pipeline, target!);
    }
    expect([...byPipeline.keys()].sort()).toEqual(['customer-purchases', 'customer-transactions', 'ecommerce']);
    expect(byPipeline.get('customer-purchases')!.Arn).toEqual({ Ref: machine[0] });
    expect(byPipeline.get('customer-purchases')!.RoleArn).toBeDefined();
    expect(byPipeline.get('ecommerce')!.Arn).toEqual({ 'Fn::GetAtt': [ids.ecommerce, 'Arn'] });
    expect(byPipeline.get('customer-transactions')!.Arn).toEqual({ 'Fn::GetAtt': [ids['customer-transactions'], 'Arn'] });
    for (const target of byPipeline.values()) expect(target.DeadLetterConfig).toBeDefined();
  });

  test('new raw files of customer-purchases start its state machine; the events role may start only that machine', () => {
    const machine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const raw = stack.getLogicalId(stack.storage.raw.node.defaultChild as s3.CfnBucket);
    const rule = Object.values(
      template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { object: { key: [{ prefix: 'customer-purchases/purchases/' }] } } } } }),
    ) as Json[];
    expect(rule).toHaveLength(1);
    expect(rule[0]!.Properties.EventPattern.detail.bucket).toEqual({ name: [{ Ref: raw }] });
    expect(rule[0]!.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: machine } })]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: machine } }] },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { object: { key: [{ prefix: 'customer-transactions/transactions/' }] } } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionIds(template)['customer-transactions'], 'Arn'] } })],
    });
  });

  test('the staged pipelines may write their bronze zone in the warehouse', () => {
    const processed = stack.getLogicalId(stack.storage.processed.node.defaultChild as s3.CfnBucket);
    const warehouse = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => asArray<Json>((p as Json).Properties.PolicyDocument.Statement))
      .filter((s) => s.Sid === 'WarehouseObjects')
      .map((s) => JSON.stringify(s.Resource));
    expect(warehouse).toHaveLength(3);
    const bronze = (pipeline: string) => JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [processed, 'Arn'] }, `/warehouse/bronze/${pipeline}/*`]] });
    expect(warehouse.filter((w) => w.includes(bronze('customer-purchases')))).toHaveLength(1);
    expect(warehouse.filter((w) => w.includes(bronze('customer-transactions')))).toHaveLength(1);
    expect(warehouse.filter((w) => w.includes('/warehouse/bronze/'))).toHaveLength(2);
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged, and the state machine role’s acknowledgements are the expected ones', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    const sm = stack.stateMachines.get('customer-purchases')!;
    const acks = new Map<string, string>();
    for (const construct of sm.node.findAll() as IConstruct[]) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acks.set(id.replace(/^annotation::/i, ''), reason);
      }
    }
    const fn = functionIds(template)['customer-purchases'];
    expect([...acks.keys()].sort()).toEqual(['AwsSolutions-IAM5[Resource::*]', `AwsSolutions-IAM5[Resource::<${fn}.Arn>:*]`].sort());
    expect(acks.get('AwsSolutions-IAM5[Resource::*]')).toMatch(/X-Ray[\s\S]*log delivery/);
    // Without the acknowledgements these are real findings: the ids match cdk-nag's.
    class Everything extends AwsSolutionsChecks {}
    (Everything.prototype as unknown as Json).isAcknowledged = () => false;
    const all = new Everything().validateScope(sm).violations.map((v) => v.ruleName);
    expect(all).toEqual(expect.arrayContaining([...acks.keys()]));
  });

  test('Resource "*" appears only in the state machine role’s X-Ray and log-delivery statements', () => {
    const sm = stack.stateMachines.get('customer-purchases')!;
    const roleId = stack.getLogicalId(sm.stateMachine.role.node.defaultChild as never);
    const star: Array<{ id: string; actions: string[] }> = [];
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of asArray<Json>((policy as Json).Properties.PolicyDocument.Statement)) {
        if (asArray(statement.Resource).includes('*')) star.push({ id, actions: asArray<string>(statement.Action) });
        expect(asArray<string>(statement.Action).some((a) => a.includes('*'))).toBe(false);
      }
    }
    // CDK merges the two statements (same Resource) into one.
    expect(star).toHaveLength(1);
    const actions = star[0]!.actions;
    expect(actions.every((a) => a.startsWith('xray:') || a.startsWith('logs:'))).toBe(true);
    expect(actions).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'logs:CreateLogDelivery']));
    expect(asArray<Json>((template.toJSON().Resources as Json)[star[0]!.id].Properties.Roles).map((r) => r.Ref as string)).toEqual([roleId]);
  });
});

describe('the customer-purchases state machine', () => {
  let stack: LakehouseStack;
  let template: Template;
  let asl: AslDefinition;
  let fn: string;
  let topic: string;
  beforeAll(() => {
    stack = buildStack();
    template = Template.fromStack(stack);
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as Json[];
    expect(machines).toHaveLength(1);
    asl = definitionOf(machines[0]!);
    fn = functionIds(template)['customer-purchases']!;
    topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
  });

  test('runs land -> silver -> gold -> serve, each a Lambda task of the customer-purchases function with { pipeline, stage, runId }', () => {
    const order: string[] = [];
    for (let name: string | undefined = asl.StartAt; name; name = asl.States[name]!.Next as string | undefined) {
      order.push(name);
      if (asl.States[name]!.End) break;
    }
    expect(order).toEqual(['land', 'silver', 'gold', 'serve']);
    expect(asl.States.serve!.End).toBe(true);
    for (const [index, stage] of order.entries()) {
      const state = asl.States[stage]!;
      expect(state.Type).toBe('Task');
      expect(state.Resource).toBe('arn:aws:states:::lambda:invoke');
      expect(state.OutputPath).toBe('$.Payload');
      expect(state.Parameters).toEqual({
        FunctionName: `arn:${fn}`,
        Payload: { pipeline: 'customer-purchases', stage, 'runId.$': index === 0 ? '$$.Execution.Name' : '$.runId' },
      });
    }
  });

  test('every task retries Lambda service errors and our transient stage errors, and only those', () => {
    for (const stage of ['land', 'silver', 'gold', 'serve']) {
      const retry = asl.States[stage]!.Retry as Json[];
      expect(retry).toHaveLength(2);
      expect(retry[0]).toMatchObject({ ErrorEquals: [...LAMBDA_SERVICE_ERRORS], MaxAttempts: 6 });
      expect(retry[1]).toMatchObject({ ErrorEquals: [TRANSIENT_STAGE_ERROR], MaxAttempts: 4, BackoffRate: 2, JitterStrategy: 'FULL' });
      expect(retry.flatMap((r) => r.ErrorEquals as string[])).not.toContain(TERMINAL_STAGE_ERROR);
      expect(retry.flatMap((r) => r.ErrorEquals as string[])).not.toContain('States.ALL');
    }
  });

  test('every task catches everything into an SNS publish on the alarm topic, followed by a Fail state carrying the error', () => {
    for (const stage of ['land', 'silver', 'gold', 'serve']) {
      const catches = asl.States[stage]!.Catch as Json[];
      expect(catches).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `alarm ${stage} failed` }]);
      const notify = asl.States[`alarm ${stage} failed`]!;
      expect(notify).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::sns:publish', ResultPath: null, Next: 'failed' });
      expect(notify.Parameters).toEqual({
        TopicArn: `ref:${topic}`,
        Subject: `lakehouse-etl: customer-purchases failed at stage ${stage}`,
        Message: {
          pipeline: 'customer-purchases',
          stage,
          'runId.$': '$$.Execution.Name',
          'execution.$': '$$.Execution.Id',
          'error.$': '$.error.Error',
          'cause.$': '$.error.Cause',
        },
      });
    }
    expect(asl.States.failed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    expect(Object.keys(asl.States).sort()).toEqual(
      ['land', 'silver', 'gold', 'serve', 'alarm land failed', 'alarm silver failed', 'alarm gold failed', 'alarm serve failed', 'failed'].sort(),
    );
  });

  test('a standard state machine with X-Ray tracing and ALL events logged to its own log group', () => {
    const logGroup = stack.getLogicalId(stack.stateMachines.get('customer-purchases')!.logGroup.node.defaultChild as never);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroup, 'Arn'] } } }] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/vendedlogs/states/LakehouseEtl-customer-purchases', RetentionInDays: 365 });
    expect(asl).toBeDefined();
  });

  test('its role may invoke the function, publish to the topic and use the topic’s key; a time-out alarm notifies the topic', () => {
    const sm = stack.stateMachines.get('customer-purchases')!;
    const roleId = stack.getLogicalId(sm.stateMachine.role.node.defaultChild as never);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      asArray<Json>((p as Json).Properties.Roles).some((r) => r.Ref === roleId),
    ) as Json[];
    const statements = policies.flatMap((p) => asArray<Json>(p.Properties.PolicyDocument.Statement));
    const key = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': [fn, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fn, 'Arn'] }, ':*']] }] }),
        expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: topic } }),
        expect.objectContaining({ Sid: 'AlarmTopicKey', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [key, 'Arn'] } }),
      ]),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsTimedOut',
      Namespace: 'AWS/States',
      AlarmActions: [{ Ref: topic }],
    });
  });
});

describe('the PostgreSQL URL secret', () => {
  test('without it, no function gets DATABASE_URL', () => {
    const template = Template.fromStack(buildStack());
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Json[]) {
      expect(fn.Properties.Environment.Variables.DATABASE_URL).toBeUndefined();
    }
  });

  test('with lakehouse:databaseUrlSecret, the functions of pipelines with a serve stage get it as a dynamic reference, and only they', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:lakehouse/pg-url-AbCdEf';
    const template = Template.fromStack(buildStack({ 'lakehouse:databaseUrlSecret': arn }));
    const env = Object.fromEntries(
      (Object.values(template.findResources('AWS::Lambda::Function')) as Json[]).map((fn) => [fn.Properties.Environment.Variables.PIPELINE, fn.Properties.Environment.Variables]),
    ) as Record<string, Record<string, unknown>>;
    const reference = `{{resolve:secretsmanager:${arn}:SecretString:::}}`;
    expect(env['customer-purchases']!.DATABASE_URL).toBe(reference);
    expect(env['customer-transactions']!.DATABASE_URL).toBe(reference);
    expect(env.ecommerce!.DATABASE_URL).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/postgres:\/\//);
  });

  test('a secret name works too; a malformed one is refused', () => {
    const template = Template.fromStack(buildStack({ 'lakehouse:databaseUrlSecret': 'lakehouse/pg-url' }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PIPELINE: 'customer-purchases', DATABASE_URL: '{{resolve:secretsmanager:lakehouse/pg-url:SecretString:::}}' }) },
    });
    expect(() => buildStack({ 'lakehouse:databaseUrlSecret': 'not a secret id' })).toThrow(/context lakehouse:databaseUrlSecret/);
  });
});

describe('the rate table', () => {
  test('lakehouse:rates reaches the customer-purchases function as RATES, and only it; a bad table is refused at synth', () => {
    const template = Template.fromStack(buildStack({ 'lakehouse:rates': 'USD=1.5,AUD=1,EUR=1.65' }));
    const env = Object.fromEntries(
      (Object.values(template.findResources('AWS::Lambda::Function')) as Json[]).map((fn) => [fn.Properties.Environment.Variables.PIPELINE, fn.Properties.Environment.Variables]),
    ) as Record<string, Record<string, unknown>>;
    expect(env['customer-purchases']!.RATES).toBe('USD=1.5,AUD=1,EUR=1.65');
    expect(env['customer-transactions']!.RATES).toBeUndefined();
    expect(env.ecommerce!.RATES).toBeUndefined();
    expect(parseRates(env['customer-purchases']!.RATES as string, 'RATES')).toEqual({ USD: 1.5, AUD: 1, EUR: 1.65 });
    expect(() => buildStack({ 'lakehouse:rates': 'USD=1.5,EUR=1.23456' })).toThrow(/context lakehouse:rates: rates: currency EUR: rate 1.23456 must have at most 4 decimal places|context lakehouse:rates: .*EUR/);
    expect(() => buildStack({ 'lakehouse:rates': 'USD' })).toThrow(/context lakehouse:rates: rates: "USD" is not CODE=rate/);
  });
});

describe('choosing the pipelines', () => {
  test('lakehouse:pipelines selects some; "all" is the default; unknown names are refused', () => {
    const two = Template.fromStack(buildStack({ 'lakehouse:pipelines': 'ecommerce, customer-purchases' }));
    two.resourceCountIs('AWS::Lambda::Function', 2);
    two.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const transactions = Template.fromStack(buildStack({ 'lakehouse:pipelines': 'customer-transactions' }));
    transactions.resourceCountIs('AWS::Lambda::Function', 1);
    transactions.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    Template.fromStack(buildStack({ 'lakehouse:pipelines': 'all' })).resourceCountIs('AWS::Lambda::Function', 3);
    expect(() => buildStack({ 'lakehouse:pipelines': 'ecommerce,returns' })).toThrow(/context lakehouse:pipelines/);
    expect(() => buildStack({ 'lakehouse:pipelines': 'all,ecommerce' })).toThrow(/context lakehouse:pipelines/);
  });

  test('the staged specs carry their stages from the definitions; a state machine needs stages', () => {
    expect(CUSTOMER_PURCHASES_PIPELINE).toEqual({
      name: 'customer-purchases',
      database: 'customer_purchases',
      datasets: ['purchases'],
      stages: ['land', 'silver', 'gold', 'serve'],
      orchestration: 'state-machine',
    });
    expect(CUSTOMER_TRANSACTIONS_PIPELINE).toEqual({
      name: 'customer-transactions',
      database: 'customer_transactions',
      datasets: ['transactions'],
      stages: ['land', 'silver', 'gold', 'serve'],
    });
    expect(() => validatePipelineSpecs([{ name: 'x', database: 'x', datasets: [], orchestration: 'state-machine' }])).toThrow(/needs the pipeline's stages/);
    expect(() => validatePipelineSpecs([{ name: 'x', database: 'x', datasets: [], stages: ['land', 'land'] }])).toThrow(/listed twice/);
  });
});
