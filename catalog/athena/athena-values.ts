/** Athena result cells (always text) to typed values (see `SqlValue`), by the column's type. */
import type { SqlValue } from '../query/query-engine.js';
import { integerValue } from '../query/values.js';

/** The value of one cell of a column of Athena type `type` (`varchar`, `bigint`, `timestamp`, ...); undefined text is NULL. */
export function fromAthenaText(text: string | undefined, type: string): SqlValue {
  if (text === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '').trim();
  switch (base) {
    case 'boolean':
      return text === 'true';
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
      return Number(text);
    case 'bigint':
      return integerValue(BigInt(text));
    case 'real':
    case 'float':
    case 'double':
    case 'decimal':
      return parseFloating(text);
    case 'varchar':
    case 'char':
    case 'string':
    case 'date':
      return text;
    case 'timestamp':
    case 'timestamp with time zone':
      return parseTimestamp(text);
    case 'varbinary':
      return parseHex(text);
    default:
      return text;
  }
}

function parseFloating(text: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-Infinity') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** `2025-04-01 10:00:00.000` (UTC) or `2025-04-01 10:00:00.000 UTC` / `... +02:00` as a Date; text that does not parse is kept. */
function parseTimestamp(text: string): Date | string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?\s*(UTC|Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return text;
  const fraction = (m[3] ?? '').slice(0, 4);
  const zone = m[4] === undefined || m[4] === 'UTC' || m[4] === 'Z' ? 'Z' : m[4].includes(':') ? m[4] : `${m[4].slice(0, 3)}:${m[4].slice(3)}`;
  const date = new Date(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(date.getTime()) ? text : date;
}

/** Athena prints varbinary as space-separated hex bytes (`0a 1b ff`). */
function parseHex(text: string): Uint8Array {
  const hex = text.replace(/\s+/g, '');
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
