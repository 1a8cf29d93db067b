/**
 * Errors of the validation layer. Bad rows are never thrown: they are rejected and recorded. These errors
 * are for a contract that cannot be used, a `fail` policy that tripped, an input that cannot be read, and
 * counts that do not add up. All are terminal: the same input fails the same way.
 */
import { LakehouseError } from '../etl/errors.js';
import type { RuleCode } from './rules.js';

/** A dataset contract is invalid (unknown column in a key, a warn policy for a structural rule, ...). */
export class ContractError extends LakehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('contract', 'terminal', message, options);
  }
}

/** Where a failing row is. */
export interface RowLocation {
  /** Dataset name. */
  dataset: string;
  /** URI of the raw file. */
  sourceUri: string;
  /** 1-based line the row starts on (0 for the file as a whole). */
  line: number;
  /** Column the failure is about, when there is one. */
  column?: string;
}

/**
 * A rule with policy `fail` tripped: the run must stop before committing anything (the CLI exits 1).
 * Names the dataset, file, line, column and rule.
 */
export class ValidationFailedError extends LakehouseError {
  /** The rule that tripped. */
  readonly rule: RuleCode;
  /** Where. */
  readonly location: RowLocation;
  /** The row's message. */
  readonly detail: string;

  constructor(rule: RuleCode, location: RowLocation, detail: string) {
    const column = location.column === undefined ? '' : `, column ${location.column}`;
    super(
      'validation_failed',
      'terminal',
      `${location.dataset}: rule ${rule} has policy fail and tripped at ${location.sourceUri} line ${location.line}${column}: ${detail}`,
    );
    this.rule = rule;
    this.location = location;
    this.detail = detail;
  }
}

/** A raw file could not be read as CSV past its header (e.g. a corrupt gzip stream). Names the file. */
export class InputFileError extends LakehouseError {
  /** URI of the file. */
  readonly sourceUri: string;

  constructor(sourceUri: string, message: string, options?: { cause?: unknown }) {
    super('invalid_input', 'terminal', `${sourceUri}: ${message}`, options);
    this.sourceUri = sourceUri;
  }
}

/** Counts do not add up (read != accepted + rejected, or the rows handed out differ from the count). */
export class ReconciliationError extends LakehouseError {
  constructor(message: string) {
    super('reconciliation', 'terminal', message);
  }
}
