/** `--rates USD=1.5,AUD=1,EUR=1.65` (or `"rates"` in lakehouse.config.json): the customer-purchases rate table. */
import { z } from 'zod';
import { UsageError } from '../../etl/errors.js';
import { checkRates, type RateTable } from '../../validation/contracts/customer-purchases.js';

/** The rate table a `--rates` value (or `what`, e.g. the `RATES` variable) names: comma-separated `CODE=rate` pairs; a UsageError names the bad pair. */
export function parseRates(text: string, what = '--rates'): RateTable {
  const rates: Record<string, number> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([A-Za-z]{3})=(\d+(?:\.\d+)?)$/.exec(pair);
    if (!m) throw new UsageError(`${what}: ${JSON.stringify(pair)} is not CODE=rate (e.g. USD=1.5)`);
    const code = m[1]!.toUpperCase();
    if (Object.hasOwn(rates, code)) throw new UsageError(`${what}: ${code} is given twice`);
    rates[code] = Number(m[2]);
  }
  if (Object.keys(rates).length === 0) throw new UsageError(`${what}: no CODE=rate pairs (e.g. USD=1.5,AUD=1)`);
  try {
    return checkRates(rates);
  } catch (err) {
    throw err instanceof UsageError ? new UsageError(`${what}: ${err.message}`) : err;
  }
}

/** A zod schema of rate-table text (`USD=1.5,AUD=1`) parsing to the table; an issue names `what` and the bad pair. */
export function ratesText(what: string) {
  return z.string().transform((text, ctx) => {
    try {
      return parseRates(text, what);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}
