/**
 * A seeded generator of BankSim-shaped data (`transactions.csv` and `CustomerImportance.csv`), with
 * planted customers and merchants sitting on each side of every pattern's boundary:
 * - UPGRADE: a merchant with 50,001 transactions and one with 49,999, the same customer structure in both
 *   (20 heavy customers of 200, five of them among the lowest weights); only when `rows` >= 120,000;
 * - CHILD: 80 transactions averaging 22.99 (matches), 79 averaging 10.00 and 80 averaging exactly 23.00 (do not);
 * - DEI-NEEDED: 101 female / 102 male customers (matches), 100 / 150 and 101 / 101 (do not).
 * Background rows follow BankSim's shape: 180 steps, a few thousand customers, 50 merchants with a
 * heavily skewed share, one category per merchant, amounts in cents.
 */
import { prng, randInt, type Random } from '../demo/prng.js';

/** Options of the generator. */
export interface BankSimOptions {
  /** Transactions to generate (planted ones included). */
  rows: number;
  /** Seed; the same seed and rows give the same bytes. Default 42. */
  seed?: number;
  /** Plant the boundary customers and merchants (default true). */
  plant?: boolean;
}

/** Ids of the planted entities, so tests can name what must and must not be detected. */
export interface PlantedEntities {
  /** UPGRADE: merchant with 50,001 transactions (detections expected), or undefined when too few rows. */
  upgradeMerchant?: string;
  /** UPGRADE: merchant with 49,999 transactions (no PatId1 detection). */
  upgradeMerchantUnder?: string;
  /** UPGRADE: the five customers with top counts and lowest weights, in both merchants. */
  upgradeCustomers: string[];
  /** CHILD merchant. */
  childMerchant?: string;
  /** CHILD: 80 transactions, average 22.99 (detected). */
  childCustomer?: string;
  /** CHILD: 79 transactions, average 10.00 (not detected). */
  childTooFew?: string;
  /** CHILD: 80 transactions, average 23.00 (not detected). */
  childAtLimit?: string;
  /** DEI: 101 female, 102 male customers (detected). */
  deiMerchant?: string;
  /** DEI: 100 female, 150 male (not detected). */
  deiTooFewFemale?: string;
  /** DEI: 101 female, 101 male (not detected). */
  deiEqual?: string;
}

/** Generated data: CSV text of both files, split in pieces, and the planted ids. */
export interface BankSimData {
  /** `transactions.csv` in pieces of about 10,000 lines (join or stream them). */
  transactions: string[];
  /** `CustomerImportance.csv` in pieces. */
  importance: string[];
  /** Rows in `transactions`. */
  rows: number;
  /** Planted ids. */
  planted: PlantedEntities;
}

/** Header of `transactions.csv`. */
export const TRANSACTIONS_HEADER = 'step,customer,age,gender,zipcodeOri,merchant,zipMerchant,category,amount,fraud';
/** Header of `CustomerImportance.csv`. */
export const IMPORTANCE_HEADER = 'Source,Target,Weight,typeTrans,fraud';

const CATEGORIES = [
  'es_transportation', 'es_food', 'es_health', 'es_wellnessandbeauty', 'es_fashion', 'es_barsandrestaurants', 'es_hyper',
  'es_sportsandtoys', 'es_tech', 'es_home', 'es_hotelservices', 'es_otherservices', 'es_contents', 'es_travel', 'es_leisure',
];
const AGES = ['0', '1', '2', '3', '4', '5', '6', 'U'];
const STEPS = 180;
/** Rows needed before the UPGRADE plant (100,000 rows) is included. */
export const UPGRADE_PLANT_MIN_ROWS = 120_000;

interface Customer {
  id: string;
  age: string;
  gender: string;
}

class Ids {
  private readonly seen = new Set<string>();
  constructor(private readonly rand: Random) {}
  next(prefix: 'C' | 'M'): string {
    for (;;) {
      const id = `${prefix}${randInt(this.rand, 100_000_000, 2_099_999_999)}`;
      if (!this.seen.has(id)) {
        this.seen.add(id);
        return id;
      }
    }
  }
}

/** Cents for `n` amounts whose sum is exactly `n * meanCents`, spread in +/- pairs. */
function exactMeanCents(rand: Random, n: number, meanCents: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < n; i += 2) {
    const d = randInt(rand, 0, Math.min(meanCents - 1, 1500));
    out.push(meanCents + d, meanCents - d);
  }
  if (n % 2) out.push(meanCents);
  return out;
}

/** Generate the data set in memory. */
export function generateBankSim(options: BankSimOptions): BankSimData {
  const rand = prng(options.seed ?? 42);
  const ids = new Ids(rand);
  const plant = options.plant ?? true;
  const customerIdx: number[] = [];
  const merchantIdx: number[] = [];
  const cents: number[] = [];
  const customers: Customer[] = [];
  const merchants: { id: string; category: string }[] = [];
  const importance: string[] = [];
  const planted: PlantedEntities = { upgradeCustomers: [] };

  const addCustomer = (gender?: string): number => {
    const g = gender ?? (rand() < 0.545 ? 'F' : rand() < 0.98 ? 'M' : rand() < 0.5 ? 'E' : 'U');
    customers.push({ id: ids.next('C'), age: AGES[randInt(rand, 0, AGES.length - 1)]!, gender: g });
    return customers.length - 1;
  };
  const addMerchant = (category?: string): number => {
    merchants.push({ id: ids.next('M'), category: category ?? CATEGORIES[randInt(rand, 0, CATEGORIES.length - 1)]! });
    return merchants.length - 1;
  };
  const push = (c: number, m: number, amountCents: number) => {
    customerIdx.push(c);
    merchantIdx.push(m);
    cents.push(amountCents);
  };
  const weightRows = (c: number, m: number, weights: number[]) => {
    const cat = merchants[m]!.category;
    weights.forEach((w, i) => {
      const typeTrans = i === 0 ? cat : CATEGORIES[(CATEGORIES.indexOf(cat) + i) % CATEGORIES.length]!;
      importance.push(`'${customers[c]!.id}','${merchants[m]!.id}',${w.toFixed(2)},'${typeTrans}',0`);
    });
  };

  if (plant) {
    // CHILD
    const cm = addMerchant('es_sportsandtoys');
    planted.childMerchant = merchants[cm]!.id;
    const child = [
      { n: 80, mean: 2299, key: 'childCustomer' },
      { n: 79, mean: 1000, key: 'childTooFew' },
      { n: 80, mean: 2300, key: 'childAtLimit' },
    ] as const;
    for (const spec of child) {
      const c = addCustomer();
      planted[spec.key] = customers[c]!.id;
      for (const a of exactMeanCents(rand, spec.n, spec.mean)) push(c, cm, a);
    }
    // DEI-NEEDED
    const dei = [
      { f: 101, m: 102, key: 'deiMerchant' },
      { f: 100, m: 150, key: 'deiTooFewFemale' },
      { f: 101, m: 101, key: 'deiEqual' },
    ] as const;
    for (const spec of dei) {
      const m = addMerchant('es_health');
      planted[spec.key] = merchants[m]!.id;
      for (let i = 0; i < spec.f; i++) push(addCustomer('F'), m, randInt(rand, 1500, 9000));
      for (let i = 0; i < spec.m; i++) push(addCustomer('M'), m, randInt(rand, 1500, 9000));
    }
    // UPGRADE
    if (options.rows >= UPGRADE_PLANT_MIN_ROWS) {
      const group = Array.from({ length: 200 }, () => addCustomer());
      const unweighted = Array.from({ length: 10 }, () => addCustomer());
      planted.upgradeCustomers = group.slice(0, 5).map((c) => customers[c]!.id);
      for (const [key, total] of [['upgradeMerchant', 50_001], ['upgradeMerchantUnder', 49_999]] as const) {
        const m = addMerchant('es_hyper');
        planted[key] = merchants[m]!.id;
        const heavy = 400;
        const light = 100;
        const rest = total - 20 * heavy - 10 * light;
        const base = Math.floor(rest / 180);
        let extra = rest - base * 180;
        group.forEach((c, i) => {
          const n = i < 20 ? heavy : base + (extra-- > 0 ? 1 : 0);
          for (let k = 0; k < n; k++) push(c, m, randInt(rand, 2500, 6000));
          // Lowest weights: customers 0-4 (0.40 and 0.60, average 0.50) and 20-34 (1.00); the rest 5 and up.
          weightRows(c, m, i < 5 ? [0.4, 0.6] : i >= 20 && i < 35 ? [1] : [5 + rand() * 40, 5 + rand() * 40]);
        });
        for (const c of unweighted) for (let k = 0; k < light; k++) push(c, m, randInt(rand, 2500, 6000));
      }
    }
  }

  // Background: BankSim-like skew (a few merchants take most transactions).
  const background = Math.max(0, options.rows - customerIdx.length);
  const nCustomers = Math.max(50, Math.round(background / 150));
  const firstCustomer = customers.length;
  for (let i = 0; i < nCustomers; i++) addCustomer();
  const firstMerchant = merchants.length;
  const nMerchants = 50;
  const share: number[] = [];
  for (let i = 0; i < nMerchants; i++) {
    addMerchant();
    share.push(1 / Math.pow(i + 1, 1.6));
  }
  const totalShare = share.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  share.reduce((acc, s, i) => (cumulative[i] = acc + s / totalShare), 0);
  const favourite = Array.from({ length: nCustomers }, () => randInt(rand, 0, nMerchants - 1));
  const pairs = new Set<number>();
  for (let i = 0; i < background; i++) {
    const c = randInt(rand, 0, nCustomers - 1);
    let m: number;
    if (rand() < 0.25) m = favourite[c]!;
    else {
      const r = rand();
      m = cumulative.findIndex((x) => r < x);
      if (m < 0) m = nMerchants - 1;
    }
    const amount = Math.max(1, Math.round(Math.exp(3.2 + rand() * 1.1 + (rand() - 0.5)) * 100));
    push(firstCustomer + c, firstMerchant + m, amount);
    pairs.add(c * nMerchants + m);
  }
  for (const p of [...pairs].sort((a, b) => a - b)) {
    const c = firstCustomer + Math.floor(p / nMerchants);
    const m = firstMerchant + (p % nMerchants);
    weightRows(c, m, Array.from({ length: randInt(rand, 1, 3) }, () => 1 + rand() * 60));
  }

  // Order by step (stable counting sort), as BankSim is.
  const n = customerIdx.length;
  const steps = new Uint16Array(n);
  const perStep = new Uint32Array(STEPS + 1);
  for (let i = 0; i < n; i++) {
    steps[i] = randInt(rand, 0, STEPS - 1);
    perStep[steps[i]! + 1]!++;
  }
  for (let s = 1; s <= STEPS; s++) perStep[s]! += perStep[s - 1]!;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[perStep[steps[i]!]!++] = i;

  const transactions: string[] = [];
  let lines: string[] = [TRANSACTIONS_HEADER];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const c = customers[customerIdx[i]!]!;
    const m = merchants[merchantIdx[i]!]!;
    const fraud = rand() < 0.012 ? 1 : 0;
    lines.push(`${steps[i]},'${c.id}','${c.age}','${c.gender}','28007','${m.id}','28007','${m.category}',${(cents[i]! / 100).toFixed(2)},${fraud}`);
    if (lines.length >= 10_000) {
      transactions.push(lines.join('\n') + '\n');
      lines = [];
    }
  }
  if (lines.length) transactions.push(lines.join('\n') + '\n');
  const importanceText: string[] = [];
  for (let i = 0; i < importance.length; i += 10_000) {
    importanceText.push((i === 0 ? IMPORTANCE_HEADER + '\n' : '') + importance.slice(i, i + 10_000).join('\n') + '\n');
  }
  if (!importanceText.length) importanceText.push(IMPORTANCE_HEADER + '\n');
  return { transactions, importance: importanceText, rows: n, planted };
}
