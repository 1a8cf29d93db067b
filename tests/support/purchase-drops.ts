/**
 * A seeded generator of customer-purchases drops with known answers: daily files (some days two, one
 * late file of old purchases) with purchases re-sent across files (corrected amounts, currencies, names),
 * exact duplicate rows, unknown currencies, bad emails and amounts, and malformed rows; and an
 * independent model of what the pipeline must produce (per-rule rejections, silver, the gold summary).
 */
import { prng, randInt, pick, type Random } from '../../pipelines/demo/prng.js';

/** The pipeline's CSV header. */
export const PURCHASE_HEADER = 'customer_id,first_name,last_name,email,purchase_id,purchase_date,amount,currency';

/** Rates of the default table, as multiples of 0.1 (USD 1.5, AUD 1.0). */
const RATE_TENTHS: Record<string, bigint> = { USD: 15n, AUD: 10n };

/** One generated file. */
export interface PurchaseFile {
  /** File name (sortable within its day). */
  name: string;
  /** Day it is dropped (1-based); the run of that day ingests it. */
  day: number;
  /** CSV text. */
  text: string;
}

interface Row {
  customer: number;
  first: string;
  last: string;
  email: string;
  purchase: number;
  date: string;
  cents: number;
  currency: string;
}

/** A gold summary row as the pipeline serves it. */
export interface SummaryRow {
  /** Customer id. */
  customer_id: number;
  /** Name of the latest purchase. */
  full_name: string;
  /** Email of the latest purchase. */
  email: string;
  /** Total in AUD, 2 decimals. */
  total_spent_aud: string;
  /** Earliest purchase date. */
  first_purchase_date: string;
  /** Latest purchase date. */
  last_purchase_date: string;
}

/** The generated drops and what they must produce. */
export interface PurchaseDrops {
  /** Files in drop order. */
  files: PurchaseFile[];
  /** Per day: rows read and rejections by rule. */
  runs: { day: number; read: number; accepted: number; rejected: Record<string, number> }[];
  /** Silver rows after the last day: purchase_id -> `customer_id amount currency`. */
  silver: Map<number, string>;
  /** Gold rows, by customer_id. */
  gold: SummaryRow[];
}

const FIRST = ['Ann', 'Bob', 'Cat', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jon'];
const LAST = ['Lee', 'Ray', 'Ng', 'Fox', 'Po', 'Kim', 'Tan', 'Wu'];

const line = (r: Row): string => `${r.customer},${r.first},${r.last},${r.email},${r.purchase},${r.date},${(r.cents / 100).toFixed(2)},${r.currency}`;
const dateOf = (base: number, offset: number): string => new Date(Date.UTC(2026, 0, 1) + (base + offset) * 86_400_000).toISOString().slice(0, 10);

function roundCents(thousandths: bigint): string {
  const cents = (thousandths + 5n) / 10n; // positive totals: half up = half away from zero
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/** Generate `days` days of drops from `seed`. */
export function generatePurchaseDrops(seed: number, days = 6, rowsPerFile = 150): PurchaseDrops {
  const rand: Random = prng(seed);
  const customers = Array.from({ length: 60 }, (_, i) => ({ id: 1000 + i, first: pick(rand, FIRST), last: pick(rand, LAST) }));
  const sent: Row[] = [];
  let nextPurchase = 1;
  const files: PurchaseFile[] = [];
  const runs: PurchaseDrops['runs'] = [];
  const silver = new Map<number, Row>();

  for (let day = 1; day <= days; day++) {
    const count = day % 3 === 2 ? 2 : 1;
    const late = day === days - 1;
    const kept = new Map<number, Row>(); // this run's accepted row per purchase id
    const rejected: Record<string, number> = {};
    const reject = (rule: string) => (rejected[rule] = (rejected[rule] ?? 0) + 1);
    let read = 0;
    for (let f = 0; f < count; f++) {
      const lines = [PURCHASE_HEADER];
      for (let i = 0; i < rowsPerFile; i++) {
        const roll = rand();
        read++;
        if (roll < 0.02) {
          lines.push(`${randInt(rand, 1, 9)},Only,Three`); // malformed_row
          reject('malformed_row');
          continue;
        }
        let row: Row;
        if (roll < 0.17 && sent.length > 0) {
          // A purchase sent again: same id and customer, corrected amount, maybe another currency or name.
          const old = pick(rand, sent);
          row = { ...old, cents: randInt(rand, 1, 50_000), currency: rand() < 0.3 ? pick(rand, ['USD', 'AUD']) : old.currency };
          if (rand() < 0.3) row = { ...row, first: pick(rand, FIRST), email: `${row.customer}.new@example.com` };
        } else {
          const c = pick(rand, customers);
          row = {
            customer: c.id,
            first: c.first,
            last: c.last,
            email: `${c.id}@example.com`,
            purchase: nextPurchase++,
            date: dateOf(late ? -40 : day * 3, randInt(rand, 0, 20)),
            cents: randInt(rand, 1, 50_000),
            currency: pick(rand, ['USD', 'AUD', 'AUD']),
          };
        }
        const defect = rand();
        if (defect < 0.03) {
          row = { ...row, currency: pick(rand, ['EUR', 'GBP', 'JPY']) };
          reject('range');
        } else if (defect < 0.045) {
          row = { ...row, email: 'not-an-email' };
          reject('range');
        } else if (defect < 0.055) {
          row = { ...row, cents: 0 };
          reject('range');
        } else {
          const previous = kept.get(row.purchase);
          if (previous && line(previous) === line(row)) reject('duplicate_row');
          else {
            if (previous) reject('duplicate_key');
            kept.set(row.purchase, row);
          }
        }
        lines.push(line(row));
        // An exact copy of the row just written, now and then (a duplicate within the file).
        if (defect >= 0.055 && rand() < 0.03) {
          lines.push(line(row));
          read++;
          reject('duplicate_row');
        }
        if (defect >= 0.055 && !sent.some((s) => s.purchase === row.purchase)) sent.push(row);
      }
      files.push({ name: `day${String(day).padStart(2, '0')}-${f}${late ? '-late' : ''}.csv`, day, text: `${lines.join('\n')}\n` });
    }
    for (const [id, row] of kept) silver.set(id, row);
    const rejectedTotal = Object.values(rejected).reduce((a, b) => a + b, 0);
    runs.push({ day, read, accepted: read - rejectedTotal, rejected });
  }

  const byCustomer = new Map<number, Row[]>();
  for (const row of silver.values()) byCustomer.set(row.customer, [...(byCustomer.get(row.customer) ?? []), row]);
  const gold = [...byCustomer.entries()]
    .sort(([a], [b]) => a - b)
    .map(([customer, rows]): SummaryRow => {
      const latest = [...rows].sort((a, b) => (a.date === b.date ? b.purchase - a.purchase : a.date < b.date ? 1 : -1))[0]!;
      const total = rows.reduce((sum, r) => sum + BigInt(r.cents) * RATE_TENTHS[r.currency]!, 0n); // thousandths of AUD
      const dates = rows.map((r) => r.date).sort();
      return {
        customer_id: customer,
        full_name: `${latest.first} ${latest.last}`,
        email: latest.email,
        total_spent_aud: roundCents(total),
        first_purchase_date: dates[0]!,
        last_purchase_date: dates.at(-1)!,
      };
    });
  return {
    files,
    runs,
    silver: new Map([...silver].map(([id, r]) => [id, `${r.customer} ${(r.cents / 100).toFixed(2)} ${r.currency}`])),
    gold,
  };
}
