/**
 * Matching a file's header to a contract by column name: any order is fine; missing, unexpected,
 * duplicated or renamed columns reject the file (`header_mismatch`).
 */

/** The result of matching a header. */
export type HeaderMatch =
  | {
      /** The header names exactly the contract's columns. */
      ok: true;
      /** For each contract column (contract order), its index in the file. */
      fields: number[];
    }
  | {
      /** The header does not match. */
      ok: false;
      /** What is wrong, naming the columns. */
      problem: string;
    };

/** Header names as compared: surrounding spaces and tabs are ignored. */
export function normaliseHeaderName(name: string): string {
  return name.replace(/^[ \t]+|[ \t]+$/g, '');
}

/** Matches `header` against the contract's column names. */
export function matchHeader(header: readonly string[], columns: readonly string[]): HeaderMatch {
  const names = header.map(normaliseHeaderName);
  const position = new Map<string, number>();
  const duplicated: string[] = [];
  names.forEach((n, i) => {
    if (position.has(n)) duplicated.push(n);
    else position.set(n, i);
  });
  const missing = columns.filter((c) => !position.has(c));
  const wanted = new Set(columns);
  const extra = names.filter((n, i) => !wanted.has(n) && position.get(n) === i);
  if (missing.length === 0 && extra.length === 0 && duplicated.length === 0) {
    return { ok: true, fields: columns.map((c) => position.get(c)!) };
  }

  // Pair a missing column with an unexpected one at the position the contract has it, or that differs only in case.
  const renamed: string[] = [];
  const stillMissing = new Set(missing);
  const stillExtra = new Set(extra);
  for (const m of missing) {
    const byCase = [...stillExtra].find((e) => e.toLowerCase() === m.toLowerCase());
    const at = names[columns.indexOf(m)];
    const byPlace = at !== undefined && stillExtra.has(at) && names.length === columns.length ? at : undefined;
    const other = byCase ?? byPlace;
    if (other !== undefined) {
      renamed.push(`${JSON.stringify(other)} where ${JSON.stringify(m)} was expected`);
      stillMissing.delete(m);
      stillExtra.delete(other);
    }
  }
  const parts: string[] = [];
  if (stillMissing.size > 0) parts.push(`missing column${stillMissing.size > 1 ? 's' : ''} ${[...stillMissing].join(', ')}`);
  if (stillExtra.size > 0) parts.push(`unexpected column${stillExtra.size > 1 ? 's' : ''} ${[...stillExtra].map((e) => JSON.stringify(e)).join(', ')}`);
  if (renamed.length > 0) parts.push(`renamed: ${renamed.join(', ')}`);
  if (duplicated.length > 0) parts.push(`duplicated column${duplicated.length > 1 ? 's' : ''} ${duplicated.join(', ')}`);
  return { ok: false, problem: `header does not match the contract: ${parts.join('; ')}` };
}
