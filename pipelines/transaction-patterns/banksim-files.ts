/** Writes a generated BankSim data set to a folder (or any store URI): the two CSV files and the planted ids. */
import { openStore } from '../../etl/storage/open-store.js';
import { generateBankSim, type BankSimOptions, type PlantedEntities } from './banksim-generator.js';

/** File names the generator writes. */
export const BANKSIM_FILES = {
  transactions: 'transactions.csv',
  importance: 'CustomerImportance.csv',
  planted: 'planted.json',
} as const;

/** What `writeBankSim` wrote. */
export interface WrittenBankSim {
  /** URI of `transactions.csv`. */
  transactions: string;
  /** URI of `CustomerImportance.csv`. */
  importance: string;
  /** Transactions written. */
  rows: number;
  /** Importance rows written. */
  importanceRows: number;
  /** The planted ids (also in `planted.json`). */
  planted: PlantedEntities;
}

async function* encode(parts: string[]): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for (const p of parts) yield encoder.encode(p);
}

/** Generate with `options` and write `transactions.csv`, `CustomerImportance.csv` and `planted.json` under `out`. */
export async function writeBankSim(out: string, options: BankSimOptions): Promise<WrittenBankSim> {
  const store = openStore(out);
  const data = generateBankSim(options);
  await store.put(BANKSIM_FILES.transactions, encode(data.transactions));
  await store.put(BANKSIM_FILES.importance, encode(data.importance));
  await store.put(BANKSIM_FILES.planted, new TextEncoder().encode(JSON.stringify(data.planted, null, 2) + '\n'));
  const importanceRows = data.importance.reduce((n, p) => n + (p.match(/\n/g)?.length ?? 0), 0) - 1;
  return {
    transactions: store.uriOf(BANKSIM_FILES.transactions),
    importance: store.uriOf(BANKSIM_FILES.importance),
    rows: data.rows,
    importanceRows,
    planted: data.planted,
  };
}
