/**
 * Folds a parsed chunk into the {@link StateMirror}, remembering in a {@link BatchDelta} what every pair
 * and merchant held before the batch, so the increments can be written to PostgreSQL with the chunk (and
 * any chunks committed with it).
 */
import type { TransactionColumns } from './banksim-csv.js';
import { DecimalSum } from './decimal-sum.js';
import { THRESHOLDS } from './patterns.js';
import type { MerchantState, PairState, StateMirror } from './state-mirror.js';

/** A pair and its totals before the batch. */
export interface PairBefore {
  /** The pair (its totals now). */
  pair: PairState;
  /** Transactions before. */
  txns: number;
  /** Amount before. */
  amount: DecimalSum;
  /** Seen with gender F before. */
  female: boolean;
  /** Seen with gender M before. */
  male: boolean;
}

/** A merchant and its totals before the batch. */
export interface MerchantBefore {
  /** The merchant (its totals now). */
  merchant: MerchantState;
  /** Transactions before. */
  txns: number;
  /** Distinct female customers before. */
  female: number;
  /** Distinct male customers before. */
  male: number;
}

let batchIds = 0;
let foldIds = 0;

/** Everything one or more chunks changed, to be written to PostgreSQL in one transaction. */
export class BatchDelta {
  /** Marks the pairs and merchants this batch changed. */
  readonly id = ++batchIds;
  /** Ids of customers first seen in these chunks. */
  readonly newCustomers: number[] = [];
  /** Changed pairs. */
  readonly pairs: PairBefore[] = [];
  /** Changed merchants. */
  readonly merchants: MerchantBefore[] = [];
  /** Rows folded in. */
  rows = 0;
  /** Rows the parser rejected. */
  rejected = 0;
}

/** What one chunk touched: the only merchants and pairs whose patterns can newly match. */
export interface Touched {
  /** Merchants with transactions in the chunk. */
  merchants: MerchantState[];
  /** Pairs with transactions in the chunk and enough transactions in all for PatId2. */
  childCandidates: PairState[];
}

function merchantOf(mirror: StateMirror, name: string): MerchantState {
  let merchant = mirror.merchants.get(name);
  if (!merchant) {
    merchant = { id: mirror.merchantById.length, name, txns: 0, female: 0, male: 0, pairs: new Map(), batch: 0, fold: 0 };
    mirror.merchantById.push(merchant);
    mirror.merchants.set(name, merchant);
  }
  return merchant;
}

function customerOf(mirror: StateMirror, name: string, delta: BatchDelta): number {
  let id = mirror.customers.get(name);
  if (id === undefined) {
    id = mirror.customerNames.length;
    mirror.customerNames.push(name);
    mirror.customers.set(name, id);
    delta.newCustomers.push(id);
  }
  return id;
}

/** Fold `rows` into `mirror`, record what changed in `delta` and return what the chunk touched. */
export function foldChunk(mirror: StateMirror, rows: TransactionColumns, delta: BatchDelta): Touched {
  const fold = ++foldIds;
  const touched: Touched = { merchants: [], childCandidates: [] };
  const n = rows.customer.length;
  let merchant: MerchantState | undefined;
  for (let i = 0; i < n; i++) {
    const merchantName = rows.merchant[i]!;
    if (merchant?.name !== merchantName) merchant = merchantOf(mirror, merchantName);
    const customer = customerOf(mirror, rows.customer[i]!, delta);
    let pair = merchant.pairs.get(customer);
    if (!pair) {
      pair = { customer, merchant, txns: 0, amount: new DecimalSum(), female: false, male: false, batch: 0, fold: 0 };
      merchant.pairs.set(customer, pair);
    }
    if (pair.batch !== delta.id) {
      pair.batch = delta.id;
      delta.pairs.push({ pair, txns: pair.txns, amount: pair.amount.copy(), female: pair.female, male: pair.male });
    }
    if (merchant.batch !== delta.id) {
      merchant.batch = delta.id;
      delta.merchants.push({ merchant, txns: merchant.txns, female: merchant.female, male: merchant.male });
    }
    if (merchant.fold !== fold) {
      merchant.fold = fold;
      touched.merchants.push(merchant);
    }
    pair.txns++;
    pair.amount.addText(rows.amount[i]!);
    merchant.txns++;
    const gender = rows.gender[i];
    if (gender === 'F') {
      if (!pair.female) {
        pair.female = true;
        merchant.female++;
      }
    } else if (gender === 'M') {
      if (!pair.male) {
        pair.male = true;
        merchant.male++;
      }
    }
    if (pair.txns >= THRESHOLDS.childMinTxns && pair.fold !== fold) {
      pair.fold = fold;
      touched.childCandidates.push(pair);
    }
  }
  delta.rows += n;
  delta.rejected += rows.rejected;
  return touched;
}
