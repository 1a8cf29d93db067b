/**
 * `defineDataset`: one declaration of a dataset — columns, keys, rules, CSV dialect, policies — from
 * which come the Arrow schema its table is written with, the compiled checks, and the zod row schema.
 */
import * as arrow from 'apache-arrow';
import { z } from 'zod';
import type { CsvOptions } from './csv/index.js';
import { Column } from './column.js';
import type { ColumnKind } from './column-kinds.js';
import { ContractError } from './errors.js';
import type { RowRule } from './row-rules.js';
import { RULE_CODES, resolvePolicies, type Policies, type ResolvedPolicies } from './rules.js';
import { compileCheck, type CompiledCheck } from './value-checks.js';

/** A foreign key as declared: `column` must hold a primary key of `references`. */
export interface ForeignKeyDefinition<Name extends string = string> {
  /** The referencing column of this dataset. */
  column: Name;
  /** The referenced dataset; its primary key must be one column of the same type. */
  references: DatasetContract;
}

/** The CSV dialect of a dataset's raw files. */
export interface CsvDialect {
  /** Field separator, one ASCII character (default `,`). */
  delimiter?: string;
  /** Quote character, one ASCII character (default `"`). */
  quote?: string;
  /** Unquoted text that stands for null (default: the empty field). */
  nullToken?: string;
  /** Most rows per batch, i.e. per accepted Arrow batch (default 65,536). */
  batchRows?: number;
}

/** What `defineDataset` takes. `C` maps column names to their declarations, in file order. */
export interface DatasetDefinition<C extends Record<string, Column> = Record<string, Column>> {
  /** Dataset (and table) name: lower case letters, digits, `_`. */
  name: string;
  /** The columns, in the order the raw files usually have them (files may order them differently). */
  columns: C;
  /** Primary key column(s); its columns are required. Rows sharing a key are resolved latest-wins. */
  primaryKey?: (keyof C & string) | (keyof C & string)[];
  /** Foreign keys; they also fix the load order (a referenced dataset is validated first). */
  foreignKeys?: ForeignKeyDefinition<keyof C & string>[];
  /** The column that says which of two rows with the same key is the latest (then position in the input). */
  orderBy?: keyof C & string;
  /** Rules over several columns. */
  rules?: RowRule[];
  /** CSV dialect of the raw files. */
  csv?: CsvDialect;
  /** Policy per rule (default `quarantine`); `warn` is not allowed for `malformed_row` and `header_mismatch`. */
  policies?: Policies;
  /** Table layout hint for the writer: partition columns (e.g. `['date']`). */
  partitionBy?: (keyof C & string)[];
  /** Free-text description. */
  description?: string;
}

/** One column of a contract, with everything derived from its declaration. */
export interface ContractColumn {
  /** Column name. */
  readonly name: string;
  /** Position in the contract (and in the Arrow schema). */
  readonly index: number;
  /** The declaration. */
  readonly spec: Column;
  /** True when the Arrow field allows nulls (not required, or `not_null` only warns). */
  readonly nullable: boolean;
  /** The compiled value checks (`range`). */
  readonly checks: readonly CompiledCheck[];
}

/** A foreign key of a contract. */
export interface ForeignKey {
  /** The referencing column. */
  readonly column: string;
  /** The referenced dataset. */
  readonly references: DatasetContract;
  /** The referenced column (the referenced dataset's primary key). */
  readonly referencedColumn: string;
}

/** A dataset contract: build it with `defineDataset`. */
export interface DatasetContract {
  /** Dataset (and table) name. */
  readonly name: string;
  /** Columns in contract order. */
  readonly columns: readonly ContractColumn[];
  /** Primary key columns (empty: no key; exact duplicates are still dropped). */
  readonly primaryKey: readonly string[];
  /** Foreign keys. */
  readonly foreignKeys: readonly ForeignKey[];
  /** The ordering column for latest-wins, if any. */
  readonly orderBy: string | undefined;
  /** Rules over several columns. */
  readonly rules: readonly RowRule[];
  /** The CSV reader options for raw files. */
  readonly csv: CsvOptions;
  /** Every rule's policy. */
  readonly policies: ResolvedPolicies;
  /** Partition columns for the table (a hint for the writer). */
  readonly partitionBy: readonly string[];
  /** The schema of accepted batches and of the table. */
  readonly arrowSchema: arrow.Schema;
  /** zod schema of one accepted row as JavaScript values (see `ValueOf`), row rules included. */
  readonly rowSchema: z.ZodType<Record<string, unknown>>;
  /** The declaration this contract was built from (see `withPolicies`). */
  readonly definition: DatasetDefinition;
  /** The contract column named `name`; throws `ContractError` when there is none. */
  column(name: string): ContractColumn;
}

const NAME = /^[a-z][a-z0-9_]*$/;
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ORDERABLE: readonly ColumnKind[] = ['int32', 'int64', 'float64', 'decimal', 'date', 'timestamp'];
const KEYABLE: readonly ColumnKind[] = ['int32', 'int64', 'decimal', 'string', 'date', 'timestamp', 'bool'];

const isContract = (v: unknown): v is DatasetContract =>
  typeof v === 'object' && v !== null && 'arrowSchema' in v && 'primaryKey' in v && 'definition' in v;

const definitionSchema = z
  .object({
    name: z.string().regex(NAME, 'must be lower case letters, digits and _, starting with a letter'),
    columns: z
      .record(z.string().regex(COLUMN_NAME, 'column names are letters, digits and _'), z.instanceof(Column, { message: 'expected a column such as int32()' }))
      .refine((c) => Object.keys(c).length > 0, 'at least one column'),
    primaryKey: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    foreignKeys: z.array(z.object({ column: z.string(), references: z.custom<DatasetContract>(isContract, 'expected a contract from defineDataset') }).strict()).optional(),
    orderBy: z.string().optional(),
    rules: z.array(z.custom<RowRule>((v) => typeof v === 'object' && v !== null && 'evaluate' in v, 'expected a row rule')).optional(),
    csv: z
      .object({
        delimiter: z.string().length(1).optional(),
        quote: z.string().length(1).optional(),
        nullToken: z.string().optional(),
        batchRows: z.int().min(1).max(1 << 24).optional(),
      })
      .strict()
      .optional(),
    policies: z
      .partialRecord(z.enum(RULE_CODES), z.enum(['quarantine', 'warn', 'fail']))
      .refine((p) => p.malformed_row !== 'warn' && p.header_mismatch !== 'warn', 'malformed_row and header_mismatch cannot warn: there is no row to keep')
      .optional(),
    partitionBy: z.array(z.string()).optional(),
    description: z.string().optional(),
  })
  .strict();

/** Builds a contract, checking the declaration; throws `ContractError` naming what is wrong. */
export function defineDataset<C extends Record<string, Column>>(definition: DatasetDefinition<C>): DatasetContract {
  const parsed = definitionSchema.safeParse(definition);
  const where = `dataset ${typeof definition?.name === 'string' ? definition.name : '?'}`;
  if (!parsed.success) throw new ContractError(`${where}: ${z.prettifyError(parsed.error)}`);
  const def = definition as unknown as DatasetDefinition;
  const names = Object.keys(def.columns);
  const need = (column: string, what: string): Column => {
    const spec = def.columns[column];
    if (spec === undefined) throw new ContractError(`${where}: ${what} names column ${column}, which is not declared`);
    return spec;
  };

  const primaryKey = def.primaryKey === undefined ? [] : typeof def.primaryKey === 'string' ? [def.primaryKey] : [...def.primaryKey];
  for (const k of primaryKey) {
    const spec = need(k, 'primaryKey');
    if (!KEYABLE.includes(spec.kind)) throw new ContractError(`${where}: primary key column ${k} cannot be ${spec.kind}`);
  }
  if (new Set(primaryKey).size !== primaryKey.length) throw new ContractError(`${where}: primaryKey repeats a column`);

  const foreignKeys: ForeignKey[] = (def.foreignKeys ?? []).map((fk) => {
    const spec = need(fk.column, 'a foreign key');
    const parent = fk.references;
    if (parent.primaryKey.length !== 1) {
      throw new ContractError(`${where}: foreign key ${fk.column} references ${parent.name}, whose primary key is not a single column`);
    }
    const referencedColumn = parent.primaryKey[0]!;
    const parentKind = parent.column(referencedColumn).spec.kind;
    if (parentKind !== spec.kind) {
      throw new ContractError(`${where}: foreign key ${fk.column} is ${spec.kind} but ${parent.name}.${referencedColumn} is ${parentKind}`);
    }
    return { column: fk.column, references: parent, referencedColumn };
  });
  if (foreignKeys.some((fk) => fk.references.name === def.name)) throw new ContractError(`${where}: a dataset cannot reference itself`);

  if (def.orderBy !== undefined && !ORDERABLE.includes(need(def.orderBy, 'orderBy').kind)) {
    throw new ContractError(`${where}: orderBy column ${def.orderBy} is not orderable`);
  }
  for (const rule of def.rules ?? []) {
    rule.columns.forEach((c, i) => {
      const spec = need(c, `rule "${rule.description}"`);
      if (spec.kind !== rule.kinds[i]) throw new ContractError(`${where}: rule "${rule.description}" needs ${c} to be ${rule.kinds[i]}, not ${spec.kind}`);
    });
  }
  for (const p of def.partitionBy ?? []) need(p, 'partitionBy');

  const policies = resolvePolicies(def.policies);
  const columns: ContractColumn[] = names.map((name, index) => {
    const declared = def.columns[name]!;
    const spec = primaryKey.includes(name) && !declared.isRequired ? declared.required() : declared;
    const nullable = !spec.isRequired || policies.not_null === 'warn';
    const checks = spec.checks.map((s) => {
      try {
        return compileCheck(name, spec, s);
      } catch (err) {
        throw err instanceof ContractError ? new ContractError(`${where}: ${err.message}`) : err;
      }
    });
    return { name, index, spec, nullable, checks };
  });
  const byName = new Map(columns.map((c) => [c.name, c]));

  const fields = columns.map((c) => {
    const metadata = new Map<string, string>();
    if (c.spec.description !== undefined) metadata.set('description', c.spec.description);
    return new arrow.Field(c.name, c.spec.arrowType, c.nullable, metadata);
  });
  const schemaMetadata = new Map<string, string>([['lakehouse.dataset', def.name]]);
  if (primaryKey.length > 0) schemaMetadata.set('lakehouse.primary_key', primaryKey.join(','));
  const arrowSchema = new arrow.Schema(fields, schemaMetadata);

  const rules = def.rules ?? [];
  const shape = Object.fromEntries(columns.map((c) => [c.name, c.nullable && c.spec.isRequired ? c.spec.valueSchema.nullable() : c.spec.valueSchema]));
  const rowSchema = z.object(shape).superRefine((row, ctx) => {
    for (const rule of rules) {
      const cells = rule.columns.map((c, i) => toCell(rule.kinds[i]!, row[c]));
      if (!rule.holds(cells)) ctx.addIssue({ code: 'custom', message: rule.message(cells), path: [...rule.columns] });
    }
  });

  const csv: CsvOptions = {};
  if (def.csv?.delimiter !== undefined) csv.delimiter = def.csv.delimiter;
  if (def.csv?.quote !== undefined) csv.quote = def.csv.quote;
  if (def.csv?.nullToken !== undefined) csv.nullToken = def.csv.nullToken;
  if (def.csv?.batchRows !== undefined) csv.batchRows = def.csv.batchRows;

  return {
    name: def.name,
    columns,
    primaryKey,
    foreignKeys,
    orderBy: def.orderBy,
    rules,
    csv,
    policies,
    partitionBy: [...(def.partitionBy ?? [])],
    arrowSchema,
    rowSchema: rowSchema as unknown as z.ZodType<Record<string, unknown>>,
    definition: def,
    column(name: string): ContractColumn {
      const c = byName.get(name);
      if (c === undefined) throw new ContractError(`dataset ${def.name} has no column ${name}`);
      return c;
    },
  };
}

/** The same contract with some rule policies changed (e.g. `{ foreign_key: 'fail' }` for a strict run). */
export function withPolicies(contract: DatasetContract, policies: Policies): DatasetContract {
  return defineDataset({ ...contract.definition, policies: { ...contract.definition.policies, ...policies } });
}

/** A JavaScript value (as `rowSchema` sees it) back to a cell, for row rules. */
function toCell(kind: ColumnKind, v: unknown): number | bigint | string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return kind === 'date' ? Math.floor(v.getTime() / 86_400_000) : BigInt(v.getTime()) * 1000n;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number | bigint | string;
}
