// ESLint: the recommended JavaScript and typescript-eslint rules (type checking itself is `npm run typecheck`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tests/interop/.venv/**', 'cdk.out/**', 'coverage/**', 'lakehouse-demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }] } },
  // Tests decode untyped Avro and CloudFormation JSON; `any` is allowed there.
  { files: ['tests/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
