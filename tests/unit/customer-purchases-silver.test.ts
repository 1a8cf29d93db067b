/** Silver enrichment of customer-purchases: exact amount_aud, ingestion date from the bronze folder, the rate table's checks, `--rates` parsing. */
import { describe, expect, test } from '@jest/globals';
import { purchasesSilver, rateUnits, ingestDay } from '../../pipelines/customer-purchases/purchases-silver.js';
import { parseRates } from '../../pipelines/cli/rates-option.js';
import type { RawFile } from '../../pipelines/runner/raw-files.js';
import { purchasesDataset } from '../../validation/contracts/customer-purchases.js';
import { bytesInput } from '../../validation/inputs.js';
import { ValidationRun } from '../../validation/validation-run.js';
import type * as arrow from 'apache-arrow';

const HEADER = 'customer_id,first_name,last_name,email,purchase_id,purchase_date,amount,currency';
const file = (key: string): RawFile => ({ dataset: 'purchases', key, uri: `mem://${key}`, size: 0, etag: 'e', fileId: 'f' });

async function accepted(csv: string, rates: Record<string, number>): Promise<arrow.RecordBatch[]> {
  const contract = purchasesDataset(rates);
  const result = await new ValidationRun({ runId: 't' }).validate(contract, [bytesInput('mem://p.csv', csv)]);
  const batches: arrow.RecordBatch[] = [];
  for await (const b of result.accepted) batches.push(b);
  return batches;
}

describe('purchases silver', () => {
  test('amount_aud is amount times the rate, exact at 6 decimals, also for amounts beyond 2^53 cents; full_name; ingest_date from the folder', async () => {
    const rates = { USD: 1.5, AUD: 1, JPY: 0.0098 };
    const csv = [HEADER, '1,Ann,Lee,a@x.io,1,2026-01-01,0.01,JPY', '2,Bob,Ray,b@x.io,2,2026-01-01,9999999999999999.99,USD', '3,Cat,Ng,c@x.io,3,2026-01-01,12.34,AUD'].join('\n');
    const [batch] = await accepted(csv, rates);
    const silver = purchasesSilver(purchasesDataset(rates), rates);
    const out = silver.apply(batch!, file('purchases/ingest_date=2026-02-03/x.csv'));
    expect(out.schema.fields.map((f) => f.name).slice(-3)).toEqual(['full_name', 'amount_aud', 'ingest_date']);
    expect(silver.partitionBy).toEqual(['ingest_date']);
    const names = [0, 1, 2].map((i) => out.getChild('full_name')!.get(i));
    expect(names).toEqual(['Ann Lee', 'Bob Ray', 'Cat Ng']);
    const aud = out.getChild('amount_aud')!.data[0]!.values as Uint32Array;
    const unscaled = (i: number) => [3, 2, 1, 0].reduce((v, k) => (v << 32n) | BigInt(aud[4 * i + k]!), 0n);
    expect(unscaled(0)).toBe(98n); // 0.01 * 0.0098 = 0.000098
    expect(unscaled(1)).toBe(14999999999999999985000n); // 9999999999999999.99 * 1.5 = 14999999999999999.985000
    expect(unscaled(2)).toBe(12340000n);
    expect(out.getChild('ingest_date')!.get(1)).toEqual(Date.parse('2026-02-03T00:00:00Z'));
    // A slice of a batch (what the validator hands out after dropping superseded rows) is read at its offset.
    const sliced = silver.apply(batch!.slice(2, 3), file('purchases/ingest_date=2026-02-03/x.csv'));
    expect(sliced.getChild('full_name')!.get(0)).toBe('Cat Ng');
    expect(Array.from((sliced.getChild('amount_aud')!.data[0]!.values as Uint32Array).slice(0, 1))).toEqual([12340000]);
  });

  test('a rate with more than 4 decimals, and a file outside an ingest_date folder, are refused', () => {
    expect(rateUnits('USD', 1.5)).toBe(15000n);
    expect(() => rateUnits('JPY', 0.00981)).toThrow(/at most 4 decimal places/);
    expect(() => purchasesSilver(purchasesDataset({ JPY: 0.00981 }), { JPY: 0.00981 })).toThrow(/JPY/);
    expect(ingestDay(file('purchases/ingest_date=2026-12-31/a.csv'))).toBe(Date.parse('2026-12-31T00:00:00Z') / 86_400_000);
    expect(() => ingestDay(file('purchases/a.csv'))).toThrow(/not under an ingest_date=YYYY-MM-DD\/ folder/);
  });
});

describe('--rates', () => {
  test('CODE=rate pairs, codes upper-cased; bad pairs, repeats and empty values are usage errors naming them', () => {
    expect(parseRates('USD=1.5, aud=1,EUR=1.65')).toEqual({ USD: 1.5, AUD: 1, EUR: 1.65 });
    expect(() => parseRates('USD=1.5,USD=2')).toThrow(/USD is given twice/);
    expect(() => parseRates('USD=-1')).toThrow(/"USD=-1" is not CODE=rate/);
    expect(() => parseRates('DOLLAR=1')).toThrow(/"DOLLAR=1"/);
    expect(() => parseRates(' , ')).toThrow(/no CODE=rate pairs/);
    expect(() => parseRates('USD=0')).toThrow(/positive/);
  });
});
