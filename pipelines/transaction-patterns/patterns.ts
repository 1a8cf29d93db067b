/**
 * The three merchant-facing patterns, evaluated after each chunk on the cumulative state (the
 * {@link StateMirror} of the PostgreSQL tables) of only what the chunk touched: nothing else changed, so
 * nothing else can newly match. Percent ranks follow PostgreSQL's `percent_rank()`: (rank - 1) / (rows - 1)
 * in float8, rank counting the rows ordered strictly before (peers share a rank), 0 for a single row.
 */
import type { MerchantState, PairState } from './state-mirror.js';

/** Pattern ids and the action each one asks for. */
export const PATTERNS = {
  PatId1: 'UPGRADE',
  PatId2: 'CHILD',
  PatId3: 'DEI-NEEDED',
} as const;

/** A pattern id. */
export type PatternId = keyof typeof PATTERNS;

/** Thresholds of the patterns (from the issue; exported so tests and the reference SQL share them). */
export const THRESHOLDS = {
  /** PatId1: a merchant's total transactions must exceed this. */
  upgradeMerchantTxns: 50_000,
  /** PatId1: a customer's transaction count percent_rank must be at least this. */
  upgradeCountRank: 0.9,
  /** PatId1: a customer's weight percent_rank must be at most this. */
  upgradeWeightRank: 0.1,
  /** PatId2: at least this many transactions with the merchant. */
  childMinTxns: 80,
  /** PatId2: average amount with the merchant strictly below this. */
  childMaxAvgAmount: 23,
  /** PatId3: more than this many distinct female customers. */
  deiMinFemale: 100,
} as const;

const T = THRESHOLDS;

/** Whether a merchant's totals make PatId1 possible (its customers are then ranked). */
export function upgradePossible(m: { txns: number }): boolean {
  return m.txns > T.upgradeMerchantTxns;
}

/** Whether a merchant's totals match PatId3. */
export function deiNeeded(m: { female: number; male: number }): boolean {
  return m.female > T.deiMinFemale && m.female < m.male;
}

/** Whether a pair matches PatId2: enough transactions and an average amount below the limit (exact). */
export function childMatch(p: PairState): boolean {
  return p.txns >= T.childMinTxns && p.amount.below(T.childMaxAvgAmount, p.txns);
}

/** Number of values in ascending `sorted` strictly below `x`. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function percentRank(sorted: Float64Array, x: number): number {
  return sorted.length > 1 ? countBelow(sorted, x) / (sorted.length - 1) : 0;
}

/**
 * The customers of `merchant` matching PatId1: transaction count percent_rank >= 0.9 among all its
 * customers, and weight percent_rank <= 0.1 among its customers that have a weight. `weightRank` of every
 * pair must be resolved (-1 for none). The merchant must pass {@link upgradePossible}.
 */
export function upgradeMatches(merchant: MerchantState): PairState[] {
  const counts = new Float64Array(merchant.pairs.size);
  const weighted: PairState[] = [];
  let i = 0;
  for (const p of merchant.pairs.values()) {
    counts[i++] = p.txns;
    if (p.weightRank! >= 0) weighted.push(p);
  }
  const weights = new Float64Array(weighted.length);
  weighted.forEach((p, j) => (weights[j] = p.weightRank!));
  counts.sort();
  weights.sort();
  return weighted.filter((p) => percentRank(weights, p.weightRank!) <= T.upgradeWeightRank && percentRank(counts, p.txns) >= T.upgradeCountRank);
}
