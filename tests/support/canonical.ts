/** Canonical row form shared with tests/interop/delta_tool.py, so our reader and delta-rs can be compared. */
import * as arrow from 'apache-arrow';

type Canon = string | null;

function canonical(value: unknown, type: arrow.DataType): Canon {
  if (value === null || value === undefined) return null;
  if (arrow.DataType.isDictionary(type)) return canonical(value, type.dictionary);
  if (arrow.DataType.isTimestamp(type)) {
    if (typeof value === 'bigint') return String(value);
    return String(Math.round(Number(value) * 1000));
  }
  if (arrow.DataType.isDate(type)) {
    const ms = value instanceof Date ? value.getTime() : Number(value);
    return new Date(ms).toISOString().slice(0, 10);
  }
  if (arrow.DataType.isBool(type)) return value ? 'true' : 'false';
  if (arrow.DataType.isFloat(type)) {
    const n = Number(value);
    return Number.isInteger(n) ? `${n}.0` : String(n);
  }
  return String(value);
}

/** Rows of an Arrow table as canonical objects, sorted by their JSON (python's json.dumps(sort_keys=True) order). */
export function canonicalRows(table: arrow.Table): Record<string, Canon>[] {
  const fields = table.schema.fields;
  const rows: Record<string, Canon>[] = [];
  const vectors = fields.map((f) => table.getChild(f.name)!);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, Canon> = {};
    fields.forEach((f, c) => (row[f.name] = canonical(vectors[c]!.get(i), f.type)));
    rows.push(row);
  }
  const key = (r: Record<string, Canon>) => pyJson(r);
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** json.dumps(obj, sort_keys=True) for flat objects of strings and nulls. */
function pyJson(row: Record<string, Canon>): string {
  return `{${Object.keys(row)
    .sort()
    .map((k) => `${JSON.stringify(k)}: ${row[k] === null ? 'null' : JSON.stringify(row[k])}`)
    .join(', ')}}`;
}
