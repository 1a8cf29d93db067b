/**
 * Deployment settings from CDK context (`cdk.json` or `npx cdk deploy -c lakehouse:schedule=...`),
 * validated with zod. Nothing is looked up in an AWS account: the stack is environment-agnostic
 * unless CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION are set, so `cdk synth` works offline.
 */
import { ratesText } from '../cli/rates-option.js';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Node } from 'constructs';
import { z } from 'zod';
import type { LakehouseStackProps } from './lakehouse-stack.js';
import { ALL_PIPELINES, pipelineSpecsNamed } from './pipeline-spec.js';

/** Context keys and their meaning. */
export const CONTEXT_KEYS = {
  stackName: 'lakehouse:stackName',
  lambdaAsset: 'lakehouse:lambdaAsset',
  schedule: 'lakehouse:schedule',
  format: 'lakehouse:format',
  workGroupName: 'lakehouse:workGroupName',
  bytesScannedCutoff: 'lakehouse:bytesScannedCutoff',
  runtime: 'lakehouse:runtime',
  memorySize: 'lakehouse:memorySize',
  timeoutMinutes: 'lakehouse:timeoutMinutes',
  reservedConcurrency: 'lakehouse:reservedConcurrency',
  alarmEmail: 'lakehouse:alarmEmail',
  pipelines: 'lakehouse:pipelines',
  databaseUrlSecret: 'lakehouse:databaseUrlSecret',
  rates: 'lakehouse:rates',
} as const;

/** Lambda runtimes the bundle (target node20, ESM) runs on. */
const RUNTIMES = { 'nodejs20.x': lambda.Runtime.NODEJS_20_X, 'nodejs22.x': lambda.Runtime.NODEJS_22_X, 'nodejs24.x': lambda.Runtime.NODEJS_24_X } as const;

const ContextSchema = z.object({
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/).default('LakehouseEtl'),
  lambdaAsset: z.string().min(1).default('dist/lambda'),
  schedule: z.string().regex(/^(cron|rate)\(.+\)$/, 'a cron(...) or rate(...) expression').optional(),
  format: z.enum(['delta', 'iceberg']).optional(),
  workGroupName: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/).optional(),
  bytesScannedCutoff: z.coerce.number().int().min(10_000_000).optional(),
  runtime: z.enum(Object.keys(RUNTIMES) as [keyof typeof RUNTIMES]).optional(),
  memorySize: z.coerce.number().int().min(128).max(10240).optional(),
  timeoutMinutes: z.coerce.number().int().min(1).max(15).optional(),
  reservedConcurrency: z.coerce.number().int().min(1).optional(),
  alarmEmail: z.email().optional(),
  pipelines: z
    .string()
    .transform((value) => value.split(',').map((name) => name.trim()).filter((name) => name !== ''))
    .pipe(
      z
        .array(z.string())
        .min(1, 'names no pipeline')
        .refine((names) => names.includes('all') ? names.length === 1 : names.every((n) => ALL_PIPELINES.some((s) => s.name === n)), {
          message: `"all" or a comma-separated list of ${ALL_PIPELINES.map((s) => s.name).join(', ')}`,
        }),
    )
    .optional(),
  databaseUrlSecret: z.string().regex(/^[A-Za-z0-9/_+=.@:-]{1,2048}$/, 'a Secrets Manager secret name or ARN').optional(),
  rates: ratesText('rates').optional(),
});

/** The validated settings. */
export interface StackSettings {
  /** CloudFormation stack name. */
  stackName: string;
  /** Folder of the Lambda bundle, relative to the working directory. */
  lambdaAsset: string;
  /** Stack props other than the asset path. */
  props: Omit<LakehouseStackProps, 'lambdaAssetPath'>;
}

/** Read and validate the `lakehouse:*` context of `node`; throws naming the bad key. */
export function readStackSettings(node: Node): StackSettings {
  const raw: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(CONTEXT_KEYS)) {
    const value: unknown = node.tryGetContext(key);
    if (value !== undefined && value !== '') raw[field] = value;
  }
  const parsed = ContextSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0]) as keyof typeof CONTEXT_KEYS;
    throw new Error(`context ${CONTEXT_KEYS[field] ?? field}: ${issue.message}`);
  }
  const c = parsed.data;
  const props: StackSettings['props'] = {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'lakehouse-etl: raw and processed buckets, Glue, Athena, pipeline Lambdas and a Step Functions state machine on EventBridge',
    ...(c.schedule ? { schedule: c.schedule } : {}),
    ...(c.format ? { format: c.format } : {}),
    ...(c.workGroupName ? { workGroupName: c.workGroupName } : {}),
    ...(c.bytesScannedCutoff ? { bytesScannedCutoffPerQuery: c.bytesScannedCutoff } : {}),
    ...(c.runtime ? { runtime: RUNTIMES[c.runtime] } : {}),
    ...(c.memorySize ? { memorySize: c.memorySize } : {}),
    ...(c.timeoutMinutes ? { timeout: Duration.minutes(c.timeoutMinutes) } : {}),
    ...(c.reservedConcurrency ? { reservedConcurrency: c.reservedConcurrency } : {}),
    ...(c.alarmEmail ? { alarmEmail: c.alarmEmail } : {}),
    ...(c.pipelines && !c.pipelines.includes('all') ? { pipelines: pipelineSpecsNamed(c.pipelines) } : {}),
    ...(c.databaseUrlSecret ? { databaseUrlSecret: c.databaseUrlSecret } : {}),
    ...(c.rates ? { rates: c.rates } : {}),
  };
  return { stackName: c.stackName, lambdaAsset: c.lambdaAsset, props };
}
