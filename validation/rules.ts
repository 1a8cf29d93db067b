/**
 * Rule codes and policies. The codes are stable machine words: they are stored in the quarantine table
 * and users script against them, so they never change meaning.
 */

/** Every rule code, in the order a row's checks run (a row is reported under the first rule it fails). */
export const RULE_CODES = [
  'header_mismatch',
  'malformed_row',
  'not_null',
  'type',
  'timestamp_format',
  'range',
  'foreign_key',
  'duplicate_row',
  'duplicate_key',
] as const;

/**
 * Why a row was rejected (or warned about):
 * - `header_mismatch`: the file's header does not name exactly the contract's columns; every row of the file is rejected.
 * - `malformed_row`: wrong number of fields, broken quoting, or invalid UTF-8.
 * - `not_null`: a required column is null (an unquoted field equal to the null token, empty by default).
 * - `type`: the text is not a value of the column's type (non-numeric, overflow, bad boolean, bad decimal).
 * - `timestamp_format`: a date or timestamp that is malformed or impossible (2025-02-30, 24:00).
 * - `range`: a declared value check failed (`> 0`, `>= 1`, one of {0,1}) or a cross-column rule
 *   failed (e.g. `date` is not the UTC date of `order_timestamp`).
 * - `foreign_key`: the referenced key is neither accepted in this run nor committed in the target table.
 * - `duplicate_row`: the row is identical, column by column, to the row kept for its key earlier in
 *   the run (to an earlier accepted row, for datasets without a primary key).
 * - `duplicate_key`: another row with the same primary key wins (latest by the ordering column, then
 *   by position in the input); the losers are rejected.
 */
export type RuleCode = (typeof RULE_CODES)[number];

/**
 * What to do with a row that fails a rule:
 * - `quarantine` (default): drop it from the output and record it in the quarantine;
 * - `warn`: keep it in the output and count it;
 * - `fail`: stop the run with `ValidationFailedError` before anything is committed.
 */
export type Policy = 'quarantine' | 'warn' | 'fail';

/** Rules whose rows cannot be kept (there is no row to keep): `warn` is not allowed for them. */
export type StructuralRule = 'header_mismatch' | 'malformed_row';

/** A policy per rule; rules left out are `quarantine`. */
export type Policies = { [R in RuleCode]?: R extends StructuralRule ? Exclude<Policy, 'warn'> : Policy };

/** Policies with every rule filled in. */
export type ResolvedPolicies = Readonly<Record<RuleCode, Policy>>;

/** Index of each rule in `RULE_CODES` (used for compact per-row bookkeeping). */
export const RULE_INDEX: Readonly<Record<RuleCode, number>> = Object.fromEntries(RULE_CODES.map((r, i) => [r, i])) as Record<RuleCode, number>;

/** Every rule with its policy: `quarantine` unless `policies` says otherwise (later arguments win). */
export function resolvePolicies(...policies: (Policies | undefined)[]): ResolvedPolicies {
  const out = Object.fromEntries(RULE_CODES.map((r) => [r, 'quarantine'])) as Record<RuleCode, Policy>;
  for (const p of policies) {
    if (p === undefined) continue;
    for (const rule of RULE_CODES) {
      const v = p[rule];
      if (v !== undefined) out[rule] = v;
    }
  }
  return out;
}

/** A count per rule (only rules that occurred are present). */
export type RuleCounts = Partial<Record<RuleCode, number>>;
