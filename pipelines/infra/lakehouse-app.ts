/**
 * Builds the CDK app's stack from its context, with the cdk-nag AwsSolutions pack registered as a
 * CDK validation plugin: any finding not acknowledged with a written reason (cdk-nag v3's
 * `Validations.of(construct).acknowledge`) fails `cdk synth` and `cdk deploy`.
 */
import { resolve } from 'node:path';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LakehouseStack } from './lakehouse-stack.js';
import { readStackSettings } from './stack-context.js';

/** Options of {@link buildLakehouseApp}. */
export interface BuildAppOptions {
  /** Overrides the bundle folder from context (tests pass a stub bundle). */
  lambdaAssetPath?: string;
}

/** Add the lakehouse stack to `app` and apply the nag checks; returns the stack. */
export function buildLakehouseApp(app: App, options: BuildAppOptions = {}): LakehouseStack {
  const settings = readStackSettings(app.node);
  const stack = new LakehouseStack(app, settings.stackName, {
    ...settings.props,
    lambdaAssetPath: options.lambdaAssetPath ?? resolve(settings.lambdaAsset),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
