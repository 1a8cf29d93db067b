/**
 * Messages for failing values. zod words them (the column's text schema for values that do not parse,
 * the value schema for nulls, the check schemas for `range`); a few temporal cases get a sharper reason.
 */
import { textSchemaOf, valueSchemaOf, type ColumnKind } from './column-kinds.js';

/** Longest value text quoted in a message. */
const MAX_QUOTED = 120;

/** `text` as a short JSON string for messages. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text);
}

const zodMessage = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, v: unknown): string | undefined => {
  const r = schema.safeParse(v);
  return r.success ? undefined : r.error!.issues.map((i) => i.message).join('; ');
};

const TEMPORAL_SHAPE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

/** A precise reason for a date/timestamp that has the right shape but an impossible value, if that is the problem. */
function temporalReason(text: string, kind: 'date' | 'timestamp'): string | undefined {
  const m = TEMPORAL_SHAPE.exec(text);
  if (m === null) {
    return kind === 'date' ? 'expected YYYY-MM-DD' : 'expected ISO-8601 YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH:MM]';
  }
  const [, y, mo, d, hh, mi, ss, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days) return `${y}-${mo}-${d} is not a calendar date`;
  if (kind === 'date' && hh !== undefined) return 'expected a date without a time';
  if (hh !== undefined && (Number(hh) > 23 || Number(mi) > 59 || (ss !== undefined && Number(ss) > 59))) {
    return `${hh}:${mi}${ss === undefined ? '' : `:${ss}`} is not a time of day`;
  }
  if (oh !== undefined && (Number(oh) > 23 || (om !== undefined && Number(om) > 59))) return 'the UTC offset is out of range';
  return undefined;
}

/** Message for a non-null field whose text is not a value of `kind` (rule `type` or `timestamp_format`). */
export function parseFailureMessage(column: string, kind: ColumnKind, text: string): string {
  const reason =
    kind === 'date' || kind === 'timestamp'
      ? (temporalReason(text, kind) ?? zodMessage(textSchemaOf(kind), text))
      : zodMessage(textSchemaOf(kind), text);
  const fallback = kind === 'decimal' ? 'not a decimal of the declared precision and scale' : `not a plain ${kind} literal`;
  return `${column}: ${reason ?? fallback} (value ${quoted(text)})`;
}

/** Message for a null in a required column (rule `not_null`). */
export function nullMessage(column: string, kind: ColumnKind, parseFailure?: string): string {
  const zod = zodMessage(valueSchemaOf(kind), null) ?? 'expected a value';
  const why = parseFailure === undefined ? '' : `; the value did not parse and type only warns: ${parseFailure}`;
  return `${column}: required, but null (${zod})${why}`;
}

/** Message for a value failing a check (rule `range`). */
export function rangeMessage(column: string, zodText: string | undefined, valueText: string): string {
  return `${column}: ${zodText ?? 'fails its check'} (value ${valueText})`;
}
