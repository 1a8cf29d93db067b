/**
 * Silver `customer_purchases.purchases`: the validated purchase columns plus `full_name` (first + " " +
 * last), `amount_aud` (amount times the currency's rate, exact: decimal(38,6)) and `ingest_date` (the
 * bronze folder the raw file was landed in), partitioned by `ingest_date`. A purchase re-sent in a later
 * file moves to that file's ingestion date (latest file wins on purchase_id).
 */
import * as arrow from 'apache-arrow';
import { UsageError } from '../../etl/errors.js';
import { checkRates, DEFAULT_RATES, type RateTable } from '../../validation/contracts/customer-purchases.js';
import { readDecimal, writeDecimal } from '../../validation/decimal-decoder.js';
import type { DatasetContract } from '../../validation/define-dataset.js';
import type { DatasetEnrichment } from '../runner/dataset-enrichment.js';
import type { RawFile } from '../runner/raw-files.js';

/** Scale of `amount_aud` (amount scale 2 + at most 4 decimal places of a rate). */
export const AMOUNT_AUD_SCALE = 6;
/** Decimal places a rate may have. */
export const RATE_DECIMALS = 4;

const INGEST_FOLDER = /(?:^|\/)ingest_date=(\d{4}-\d{2}-\d{2})\//;
const MS_PER_DAY = 86_400_000;

/** A rate as an integer number of 10^-4 units (`1.5` -> 15000); more decimal places are a UsageError. */
export function rateUnits(code: string, rate: number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(rate));
  if (!m || (m[2] ?? '').length > RATE_DECIMALS) throw new UsageError(`currency ${code}: rate ${rate} must have at most ${RATE_DECIMALS} decimal places`);
  return BigInt(m[1]!) * 10n ** BigInt(RATE_DECIMALS) + BigInt((m[2] ?? '').padEnd(RATE_DECIMALS, '0'));
}

/** The ingestion date of a landed raw file, from its `ingest_date=YYYY-MM-DD/` folder, as days since the epoch. */
export function ingestDay(file: RawFile): number {
  const m = INGEST_FOLDER.exec(file.key);
  const ms = m ? Date.parse(`${m[1]}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`raw file ${file.uri} is not under an ingest_date=YYYY-MM-DD/ folder (land it with the pipeline's land stage)`);
  return ms / MS_PER_DAY;
}

/** The silver enrichment of the purchases contract for a rate table. */
export function purchasesSilver(contract: DatasetContract, rates: RateTable = DEFAULT_RATES): DatasetEnrichment {
  const units = new Map(Object.entries(checkRates(rates)).map(([code, rate]) => [code, rateUnits(code, rate)]));
  const schema = new arrow.Schema([
    ...contract.arrowSchema.fields,
    new arrow.Field('full_name', new arrow.Utf8(), false),
    new arrow.Field('amount_aud', new arrow.Decimal(AMOUNT_AUD_SCALE, 38, 128), false),
    new arrow.Field('ingest_date', new arrow.DateDay(), false),
  ]);
  const amountScale = (contract.arrowSchema.fields.find((f) => f.name === 'amount')!.type as arrow.Decimal).scale;
  const shift = 10n ** BigInt(AMOUNT_AUD_SCALE - amountScale - RATE_DECIMALS);
  return {
    schema,
    partitionBy: ['ingest_date'],
    apply(batch, file) {
      const n = batch.numRows;
      const first = batch.getChild('first_name')!;
      const last = batch.getChild('last_name')!;
      const currency = batch.getChild('currency')!;
      const amount = batch.getChild('amount')!.data[0]!;
      const names: string[] = new Array<string>(n);
      const aud = new Uint32Array(4 * n);
      for (let i = 0; i < n; i++) {
        names[i] = `${String(first.get(i))} ${String(last.get(i))}`;
        const code = String(currency.get(i));
        const rate = units.get(code);
        // The contract quarantines currencies without a rate, so this is a contract/enrichment mismatch.
        if (rate === undefined) throw new UsageError(`currency ${code} has no rate in the silver rate table (row ${i} of ${file.uri})`);
        writeDecimal(aud, i, readDecimal(amount.values as Uint32Array, i) * rate * shift);
      }
      const day = ingestDay(file);
      const children = [
        ...batch.data.children,
        arrow.vectorFromArray(names, new arrow.Utf8()).data[0]!,
        arrow.makeData({ type: schema.fields.at(-2)!.type as arrow.Decimal, length: n, data: aud }),
        arrow.makeData({ type: new arrow.DateDay(), length: n, data: new Int32Array(n).fill(day) }),
      ];
      return new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children, nullCount: 0 }));
    },
  };
}
