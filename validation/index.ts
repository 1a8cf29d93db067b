/**
 * Validation: dataset contracts declared with zod, compiled into column checks over CSV batches;
 * referential integrity, dedupe, quarantine and reconciliation. Rules, counting and usage: validation/README.md.
 */
export { RULE_CODES, resolvePolicies, type RuleCode, type Policy, type Policies, type ResolvedPolicies, type RuleCounts } from './rules.js';
export { ContractError, ValidationFailedError, InputFileError, ReconciliationError, type RowLocation } from './errors.js';
export { type ColumnKind, type ValueOf, type DecimalSpec } from './column-kinds.js';
export { Column, type ColumnSpec, int32, int64, float64, decimal, string, bool, date, timestamp } from './column.js';
export { type RowRule, sameUtcDate } from './row-rules.js';
export {
  defineDataset,
  withPolicies,
  type DatasetDefinition,
  type DatasetContract,
  type ContractColumn,
  type ForeignKey,
  type ForeignKeyDefinition,
  type CsvDialect,
} from './define-dataset.js';
export { loadOrder } from './load-order.js';
export { type CsvInput, fileInput, bytesInput } from './inputs.js';
export { type KeyLookup, type KeyValue, anyOf, keySetFor } from './key-lookup.js';
export { Int32KeySet, DenseInt32KeySet, int32KeySetOf } from './int32-key-sets.js';
export { Int64KeySet } from './int64-key-set.js';
export { StringKeySet } from './string-key-set.js';
export { type KeyIndex, Int32KeyIndex, MapKeyIndex } from './key-index.js';
export { type CommittedKeys, loadKeys, loadDeltaKeys, deltaCommittedKeys } from './committed-keys.js';
export { type QuarantineRecord, REJECTED_RECORDS_SCHEMA, quarantineBatches, type QuarantineBatchOptions } from './quarantine.js';
export {
  type Counts,
  type FileStatus,
  type FileSummary,
  type DatasetSummary,
  type RunSummary,
  assertReconciled,
  assertRunReconciled,
} from './summary.js';
export { type RowWarning, type AcceptedStream, MAX_WARNING_SAMPLES } from './dataset-validator.js';
export { ValidationRun, type ValidationRunOptions, type ValidateOptions, type DatasetResult } from './validation-run.js';
