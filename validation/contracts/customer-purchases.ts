/**
 * The customer-purchases dataset (CSV `customer_id,first_name,last_name,email,purchase_id,purchase_date,amount,currency`).
 *
 * Decisions beyond the issue:
 * - `purchase_id` is the primary key with no ordering column, so among rows sharing it the later file
 *   (later input position, later batch) wins: "latest file wins".
 * - `email` must look like `local@domain.tld` (rule `range`); `amount` is decimal(18,2) and > 0 (`range`).
 * - `currency` must have a rate in the pipeline's rate table (`range`, the message names the currency),
 *   so a purchase that cannot be priced in AUD is quarantined, never dropped silently.
 */
import { z } from 'zod';
import { UsageError } from '../../etl/errors.js';
import { date, decimal, int32, string } from '../column.js';
import { defineDataset, type DatasetContract } from '../define-dataset.js';

/** AUD per unit of each currency. */
export type RateTable = Readonly<Record<string, number>>;

/** The default rate table: USD 1.5, AUD 1.0. */
export const DEFAULT_RATES: RateTable = { USD: 1.5, AUD: 1.0 };

const CURRENCY = /^[A-Z]{3}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks a rate table (three-letter upper-case codes, finite positive rates in plain decimal notation, at most 4 decimal places); throws UsageError. */
export function checkRates(rates: RateTable): RateTable {
  const entries = Object.entries(rates);
  if (entries.length === 0) throw new UsageError('the rate table is empty');
  for (const [code, rate] of entries) {
    if (!CURRENCY.test(code)) throw new UsageError(`currency ${code}: expected a three-letter upper-case code`);
    if (!Number.isFinite(rate) || rate <= 0 || /e/i.test(String(rate))) throw new UsageError(`currency ${code}: rate ${rate} must be a positive decimal number`);
    if ((String(rate).split('.')[1] ?? '').length > 4) throw new UsageError(`currency ${code}: rate ${rate} must have at most 4 decimal places`);
  }
  return rates;
}

/** The purchases contract for a rate table: a currency outside it is rule `range`. */
export function purchasesDataset(rates: RateTable = DEFAULT_RATES): DatasetContract {
  checkRates(rates);
  const known = Object.keys(rates).sort();
  return defineDataset({
    name: 'purchases',
    columns: {
      customer_id: int32().required(),
      first_name: string().required(),
      last_name: string().required(),
      email: string().required().check(z.string().regex(EMAIL, 'not an email address (local@domain.tld expected)')),
      purchase_id: int32().required(),
      purchase_date: date().required(),
      amount: decimal(18, 2).required().check(z.number().gt(0)),
      currency: string()
        .required()
        .check(
          z.string().superRefine((code, ctx) => {
            if (!Object.hasOwn(rates, code)) ctx.addIssue({ code: 'custom', message: `currency ${code} has no rate to AUD (known: ${known.join(', ')})` });
          }),
        ),
    },
    primaryKey: 'purchase_id',
  });
}

/** The purchases contract with the default rates. */
export const purchases = purchasesDataset();
