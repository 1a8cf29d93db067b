/**
 * An in-memory mirror of the cumulative state in PostgreSQL, loaded from it when Y opens the state (so a
 * restart continues from exactly what PostgreSQL holds) and advanced in step with it: every change made
 * to the mirror is written to PostgreSQL in the transaction that records the chunk. Patterns are
 * evaluated on the mirror, so no query scans the state per chunk.
 */
import { DecimalSum } from './decimal-sum.js';
import { StateStoreError } from './errors.js';
import type { StateSql } from './state-store.js';

/** The running totals of one customer with one merchant. */
export interface PairState {
  /** Customer id (index into {@link StateMirror.customerNames}). */
  readonly customer: number;
  /** The merchant. */
  readonly merchant: MerchantState;
  /** Transactions. */
  txns: number;
  /** Sum of the amounts, exact. */
  amount: DecimalSum;
  /** Seen with gender F. */
  female: boolean;
  /** Seen with gender M. */
  male: boolean;
  /** Dense rank of the pair's weight within the merchant; -1 when it has none; undefined until looked up. */
  weightRank?: number;
  /** Fold bookkeeping: the batch that last changed the pair (see `BatchDelta`). */
  batch: number;
  /** Fold bookkeeping: the fold that last listed the pair as a PatId2 candidate. */
  fold: number;
}

/** The running totals of one merchant. */
export interface MerchantState {
  /** Merchant id. */
  readonly id: number;
  /** Merchant name as in the input. */
  readonly name: string;
  /** Transactions. */
  txns: number;
  /** Distinct female customers. */
  female: number;
  /** Distinct male customers. */
  male: number;
  /** Its customers, by customer id. */
  readonly pairs: Map<number, PairState>;
  /** Dense rank of weight by customer name, loaded once the merchant can match PatId1. */
  weightRanks?: Map<string, number>;
  /** Fold bookkeeping: the batch that last changed the merchant (see `BatchDelta`). */
  batch: number;
  /** Fold bookkeeping: the fold that last listed the merchant as touched. */
  fold: number;
}

/** Key of an emitted detection. */
export function detectionKey(patternId: string, merchant: string, customer: string): string {
  return `${patternId}\u0000${merchant}\u0000${customer}`;
}

/** The mirror. */
export class StateMirror {
  /** Last chunk folded in (and committed). */
  lastChunk = -1;
  /** Highest detection sequence number. */
  maxSeq = 0;
  /** Customer id by name. */
  readonly customers = new Map<string, number>();
  /** Customer name by id. */
  readonly customerNames: string[] = [];
  /** Merchants by name. */
  readonly merchants = new Map<string, MerchantState>();
  /** Merchants by id. */
  readonly merchantById: MerchantState[] = [];
  /** Detections emitted so far ({@link detectionKey}). */
  readonly emitted = new Set<string>();

  /** Load the mirror from the state tables. */
  static async load(sql: StateSql): Promise<StateMirror> {
    const m = new StateMirror();
    const [p] = await sql.query<{ last_chunk: number; max_seq: string }>(
      'SELECT last_chunk, (SELECT coalesce(max(seq), 0) FROM tp_detections)::text AS max_seq FROM tp_progress WHERE id = 1',
    );
    m.lastChunk = Number(p!.last_chunk);
    m.maxSeq = Number(p!.max_seq);
    for (const r of await sql.query<{ id: number; name: string }>('SELECT id, name FROM tp_customers ORDER BY id')) {
      if (Number(r.id) !== m.customerNames.length) throw new StateStoreError(`tp_customers ids are not dense at ${r.id}`, false);
      m.customerNames.push(r.name);
      m.customers.set(r.name, Number(r.id));
    }
    for (const r of await sql.query<{ id: number; name: string; txn_count: string; female: number; male: number }>(
      'SELECT id, name, txn_count::text, female, male FROM tp_merchants ORDER BY id',
    )) {
      if (Number(r.id) !== m.merchantById.length) throw new StateStoreError(`tp_merchants ids are not dense at ${r.id}`, false);
      const merchant: MerchantState = { id: Number(r.id), name: r.name, txns: Number(r.txn_count), female: Number(r.female), male: Number(r.male), pairs: new Map(), batch: 0, fold: 0 };
      m.merchantById.push(merchant);
      m.merchants.set(r.name, merchant);
    }
    const pairs = await sql.query<{ merchant: number; customer: number; txn_count: string; amount_sum: string; has_female: boolean; has_male: boolean }>(
      'SELECT merchant, customer, txn_count::text, amount_sum::text, has_female, has_male FROM tp_customer_merchant',
    );
    for (const r of pairs) {
      const merchant = m.merchantById[Number(r.merchant)]!;
      const customer = Number(r.customer);
      merchant.pairs.set(customer, { customer, merchant, txns: Number(r.txn_count), amount: DecimalSum.parse(r.amount_sum), female: r.has_female, male: r.has_male, batch: 0, fold: 0 });
    }
    for (const r of await sql.query<{ pattern_id: string; merchant: string; customer: string }>('SELECT pattern_id, merchant, customer FROM tp_detections')) {
      m.emitted.add(detectionKey(r.pattern_id, r.merchant, r.customer));
    }
    return m;
  }

  /**
   * Load the weight ranks of `merchant` (once): the dense rank of each customer's weight (the average Weight
   * of its importance rows for the merchant, exact `numeric`) among the merchant's weighted customers.
   */
  async loadWeights(sql: StateSql, merchant: MerchantState): Promise<void> {
    if (merchant.weightRanks) return;
    const rows = await sql.query<{ customer: string; r: number }>(
      'SELECT customer, dense_rank() OVER (ORDER BY avg(weight))::int AS r FROM tp_importance WHERE merchant = $1 GROUP BY customer',
      [merchant.name],
    );
    merchant.weightRanks = new Map(rows.map((r) => [r.customer, Number(r.r)]));
  }
}
