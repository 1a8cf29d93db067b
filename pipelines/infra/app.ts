/**
 * CDK entry (`npx cdk synth`, `npx cdk deploy`; cdk.json runs it with tsx). Builds the Lambda
 * bundle first when its folder has none, so a fresh clone synthesises without a separate step.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { BUNDLE_FILE, bundleLambda, formatBytes } from '../aws/bundle.js';
import { buildLakehouseApp } from './lakehouse-app.js';
import { readStackSettings } from './stack-context.js';

const app = new App();
const asset = resolve(readStackSettings(app.node).lambdaAsset);
if (!existsSync(join(asset, BUNDLE_FILE))) {
  const report = await bundleLambda({ outdir: asset });
  process.stderr.write(`built the Lambda bundle in ${asset} (zipped ${formatBytes(report.zippedBytes)})\n`);
}
buildLakehouseApp(app, { lambdaAssetPath: asset });
app.synth();
