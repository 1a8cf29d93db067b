/**
 * Reads BankSim CSV (string values wrapped in single quotes) with the project's CSV reader, keeping only
 * the columns the patterns need. Header names may be bare or quoted with `"` or `'`.
 */
import { bytesSource, decodeString, openCsv } from '../../validation/csv/index.js';
import { chunkText, scanColumns } from './chunk-scan.js';
import { InputFormatError } from './errors.js';

/** Columns of a transactions chunk the patterns use; rows failing a check are counted, not kept. */
export interface TransactionColumns {
  /** Customer ids (quotes removed). */
  customer: string[];
  /** Gender: M, F, E or U. */
  gender: string[];
  /** Merchant ids. */
  merchant: string[];
  /** Amounts as decimal text (exact; PostgreSQL parses them as numeric). */
  amount: string[];
  /** Rows rejected: malformed CSV, a missing id, or an amount that is not a decimal number. */
  rejected: number;
}

/** Columns of `CustomerImportance.csv` the patterns use. */
export interface ImportanceColumns {
  /** Customer ids (Source). */
  customer: string[];
  /** Merchant ids (Target). */
  merchant: string[];
  /** Weights as decimal text. */
  weight: string[];
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const WEIGHT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function bare(name: string): string {
  return name.trim().replace(/^["']|["']$/g, '');
}

/** Read all batches of a BankSim CSV held in memory, taking the named columns as strings. */
export async function readColumns(bytes: Uint8Array, names: readonly string[], what: string): Promise<{ columns: string[][]; rejected: number }> {
  const reader = await openCsv(bytesSource(bytes), { quote: "'" });
  const header = (reader.header ?? []).map(bare);
  const index = names.map((n) => {
    const i = header.indexOf(n);
    if (i < 0) throw new InputFormatError(`${what}: no column ${n} in header ${JSON.stringify(header)}`);
    return i;
  });
  const columns: string[][] = names.map(() => []);
  let rejected = 0;
  for await (const batch of reader) {
    rejected += batch.malformed.length;
    const decoded = index.map((i) => decodeString(batch, i));
    for (let r = 0; r < batch.rowCount; r++) {
      let ok = true;
      for (const d of decoded) if (d.valid[r] !== 1 || d.values[r] === '') ok = false;
      if (!ok) {
        rejected++;
        continue;
      }
      decoded.forEach((d, c) => columns[c]!.push(d.values[r]!));
    }
  }
  return { columns, rejected };
}

const CHUNK_COLUMNS = ['customer', 'gender', 'merchant', 'amount'] as const;

/** Parse one transactions chunk (a fast scan of valid UTF-8; the project's CSV reader otherwise). */
export async function parseTransactions(bytes: Uint8Array, what: string): Promise<TransactionColumns> {
  const text = chunkText(bytes);
  if (text !== undefined) {
    const { columns, rejected } = scanColumns(text, CHUNK_COLUMNS, what, (v) => v[0] !== '' && v[1] !== '' && v[2] !== '' && DECIMAL.test(v[3]!));
    const [customer, gender, merchant, amount] = columns as [string[], string[], string[], string[]];
    return { customer, gender, merchant, amount, rejected };
  }
  const { columns, rejected } = await readColumns(bytes, CHUNK_COLUMNS, what);
  const [customer, gender, merchant, amount] = columns as [string[], string[], string[], string[]];
  const out: TransactionColumns = { customer: [], gender: [], merchant: [], amount: [], rejected };
  for (let i = 0; i < customer.length; i++) {
    if (!DECIMAL.test(amount[i]!)) {
      out.rejected++;
      continue;
    }
    out.customer.push(customer[i]!);
    out.gender.push(gender[i]!);
    out.merchant.push(merchant[i]!);
    out.amount.push(amount[i]!);
  }
  return out;
}

/** Parse `CustomerImportance.csv`; a Weight that is not a number is {@link InputFormatError}. */
export async function parseImportance(bytes: Uint8Array, what: string): Promise<ImportanceColumns> {
  const { columns } = await readColumns(bytes, ['Source', 'Target', 'Weight'], what);
  const [customer, merchant, weight] = columns as [string[], string[], string[]];
  for (let i = 0; i < weight.length; i++) {
    if (!WEIGHT.test(weight[i]!)) throw new InputFormatError(`${what}: Weight ${JSON.stringify(weight[i])} of row ${i + 1} is not a number`);
  }
  return { customer, merchant, weight };
}
