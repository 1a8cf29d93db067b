/**
 * Which `<database>.<table>` names a SQL text mentions, so the engine refreshes only those views.
 * String literals and comments are skipped; unquoted names are folded to lower case as DuckDB does.
 * The scan may over-approximate (an alias that happens to be named like a database), never miss a
 * qualified name.
 */

/** A two-part name found in SQL. */
export interface Mention {
  /** First part (a database, if it names one). */
  database: string;
  /** Second part (the table, or a pinned view such as `orders@v3`). */
  name: string;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const CHAIN = new RegExp(String.raw`${IDENT}(?:\s*\.\s*${IDENT})+`, 'g');
const PART = new RegExp(IDENT, 'g');

/** SQL with its string literals and comments blanked out (same length, so nothing shifts). */
function stripLiteralsAndComments(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) => ' '.repeat(m.length));
}

function unquote(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase();
}

/** Every consecutive pair of a dotted name chain (`a.b.c` gives `a.b` and `b.c`), de-duplicated. */
export function mentionedNames(sql: string): Mention[] {
  const seen = new Map<string, Mention>();
  for (const chain of stripLiteralsAndComments(sql).match(CHAIN) ?? []) {
    const parts = (chain.match(PART) ?? []).map(unquote);
    for (let i = 0; i + 1 < parts.length; i++) {
      const mention = { database: parts[i]!, name: parts[i + 1]! };
      seen.set(`${mention.database}\u0000${mention.name}`, mention);
    }
  }
  return [...seen.values()];
}
