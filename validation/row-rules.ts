/**
 * Rules over several columns of a row, compiled to loops like the column checks. A failing row is
 * rejected under the rule's code; its message comes from `message`.
 */
import { cellText, type Cell } from './cells.js';
import type { ColumnKind } from './column-kinds.js';
import type { DecodedValues } from './decoded-batch.js';
import type { RuleCode } from './rules.js';

/** A rule over several columns of one row. */
export interface RowRule {
  /** The rule code failing rows are reported under (`range` for consistency rules). */
  readonly rule: RuleCode;
  /** What the rule demands, in words (documentation and messages). */
  readonly description: string;
  /** The contract columns it reads, in the order `evaluate` and `holds` receive them. */
  readonly columns: readonly string[];
  /** The column types the rule needs, one per entry of `columns`. */
  readonly kinds: readonly ColumnKind[];
  /**
   * Sets `fail[r] = 1` for rows with `todo[r] = 1` that break the rule and returns how many. Rows where a
   * column the rule reads is null are not checked (nulls are `not_null`'s business).
   */
  evaluate(columns: readonly DecodedValues[], todo: Uint8Array, fail: Uint8Array, rowCount: number): number;
  /** The same rule on one row's cells (used by `rowSchema` and tests). */
  holds(cells: readonly Cell[]): boolean;
  /** The message for one failing row. */
  message(cells: readonly Cell[]): string;
}

const DAY_US = 86_400_000_000;
const TWO_32 = 4294967296;

/** The UTC day (days since 1970-01-01) of a timestamp in µs, exact for |µs| <= 2^53. */
function utcDay(us: number): number {
  const rem = ((us % DAY_US) + DAY_US) % DAY_US;
  return (us - rem) / DAY_US;
}

/**
 * `dateColumn` must equal the UTC calendar date of `timestampColumn` (e.g. orders.date and
 * orders.order_timestamp). Reported as `range`.
 */
export function sameUtcDate(dateColumn: string, timestampColumn: string): RowRule {
  return {
    rule: 'range',
    description: `${dateColumn} is the UTC date of ${timestampColumn}`,
    columns: [dateColumn, timestampColumn],
    kinds: ['date', 'timestamp'],
    evaluate(columns, todo, fail, n) {
      const d = columns[0]!;
      const t = columns[1]!;
      if (d.kind !== 'date' || t.kind !== 'timestamp') return 0;
      const days = d.values;
      const words = t.words;
      const dv = d.valid;
      const tv = t.valid;
      let failed = 0;
      for (let r = 0; r < n; r++) {
        if (todo[r] !== 1 || dv[r] !== 1 || tv[r] !== 1) continue;
        // The timestamp's UTC day is days[r] iff days[r] * DAY_US <= us < (days[r] + 1) * DAY_US (exact in doubles).
        const us = (words[2 * r + 1]! | 0) * TWO_32 + words[2 * r]!;
        const start = days[r]! * DAY_US;
        if (us < start || us >= start + DAY_US) {
          fail[r] = 1;
          failed++;
        }
      }
      return failed;
    },
    holds(cells) {
      const [day, us] = cells;
      if (day === null || us === null || day === undefined || us === undefined) return true;
      return utcDay(Number(us)) === day;
    },
    message(cells) {
      const [day, us] = cells;
      const actual = us === null || us === undefined ? 'null' : cellText('date', utcDay(Number(us)));
      return `${dateColumn} ${cellText('date', day ?? null)} is not the UTC date of ${timestampColumn} ${cellText('timestamp', us ?? null)} (${actual})`;
    },
  };
}
