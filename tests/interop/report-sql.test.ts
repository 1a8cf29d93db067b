/**
 * Every report parses in the Athena (Trino) dialect: sqlglot (the pinned PyPI version) reads each
 * report's SQL with read="athena", finds the tables and placeholders we expect, prints it back to
 * the same tree, and prints it back to the same tokens (nothing had to be translated from another
 * dialect). The literals the Athena engine sends as ExecutionParameters parse as Trino literals too.
 * DuckDB-only statements prove the checks can fail.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { athenaLiteral } from '../../catalog/athena/athena-params.js';
import { REPORT_NAMES, REPORTS, reportSql } from '../../catalog/reports/index.js';
import { runPython } from '../support/python.js';
import { tempDir } from '../support/stores.js';

interface StatementCheck {
  ok: boolean;
  error: string | null;
  kind?: string;
  tables?: string[];
  placeholders?: number;
  roundtrip?: boolean;
  native?: boolean;
}
interface CheckOutput {
  sqlglot: string;
  statements: Record<string, StatementCheck>;
  literals: Record<string, { ok: boolean; error: string | null }>;
}

const TABLES: Record<string, string[]> = {
  daily_sales: ['ecommerce.order_items', 'ecommerce.orders'],
  top_products: ['ecommerce.order_items', 'ecommerce.products'],
  department_items: ['ecommerce.order_items', 'ecommerce.products'],
  data_quality: ['ecommerce.rejected_records'],
};

const LITERALS = ["it's", 42, -7, 1.5, -0.25, 12345678901234567890n, true, null, new Date('2025-04-01T10:00:00.250Z')].map((v, i) => athenaLiteral(v, i));

let output: CheckOutput;

beforeAll(async () => {
  const statements: Record<string, string> = Object.fromEntries(REPORT_NAMES.map((name) => [name, reportSql(name)]));
  // DuckDB-only syntax: sqlglot parses (and translates) the first, and cannot parse the second.
  statements.duckdb_only = 'SELECT * EXCLUDE (a) FROM t WHERE x::INT IN [1, 2]';
  statements.duckdb_qualify = 'SELECT a FROM t QUALIFY row_number() OVER (ORDER BY a) = 1';
  const input = join(tempDir('sqlglot-'), 'input.json');
  writeFileSync(input, JSON.stringify({ statements, literals: LITERALS }));
  output = await runPython<CheckOutput>('sqlglot_check.py', [input]);
});

test('sqlglot is the pinned version', () => {
  expect(output.sqlglot).toBe('30.30.0');
});

test.each(REPORT_NAMES)('%s parses in the Athena dialect', (name) => {
  const check = output.statements[name]!;
  expect(check.error).toBeNull();
  expect(check).toMatchObject({ ok: true, kind: 'select', tables: TABLES[name], roundtrip: true, native: true });
  expect(check.placeholders).toBe(REPORTS[name].params({}).length);
});

test('the check rejects DuckDB-only SQL', () => {
  expect(output.statements.duckdb_only).toMatchObject({ ok: true, native: false });
  expect(output.statements.duckdb_qualify!.ok).toBe(false);
});

test('ExecutionParameters literals parse as Trino literals', () => {
  for (const literal of LITERALS) expect([literal, output.literals[literal]]).toEqual([literal, { ok: true, error: null }]);
});
