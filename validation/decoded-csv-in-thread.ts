/** `openDecodedCsv` on the calling thread: `openCsv` (batches reused) and `decodeBatch`, batch by batch. */
import { openCsv, type CsvOptions } from './csv/index.js';
import type { PeekedSource } from './csv/peeked-source.js';
import { decodeBatch } from './decoded-batch.js';
import type { DecodedCsvBatch, DecodedCsvOptions, DecodedCsvReader } from './decoded-csv-reader.js';
import { UsageError } from '../etl/errors.js';

/** Opens `source` and calls `plan` on this thread; errors as `openCsv` throws them. */
export async function openDecodedCsvInThread(source: PeekedSource, dialect: CsvOptions, plan: DecodedCsvOptions['plan']): Promise<DecodedCsvReader> {
  let decodePlan: ReturnType<typeof plan>;
  let header: string[] | undefined;
  let headerLine: number;
  let reader: AsyncIterable<DecodedCsvBatch['csv']>;
  try {
    const csv = await openCsv(source, { ...dialect, reuseBatches: true });
    ({ header, headerLine } = csv);
    decodePlan = header === undefined ? undefined : plan(header);
    reader = csv;
  } catch (err) {
    await source.release();
    throw err;
  }

  async function* batches(): AsyncGenerator<DecodedCsvBatch> {
    for await (const csv of reader) {
      yield { csv, decoded: decodePlan === undefined ? undefined : decodeBatch(csv, decodePlan.specs, decodePlan.fields) };
    }
  }

  let iterated = false;
  return {
    header,
    headerLine,
    threaded: false,
    [Symbol.asyncIterator]() {
      if (iterated) throw new UsageError('a DecodedCsvReader can be iterated only once');
      iterated = true;
      return batches();
    },
    close: () => source.release(),
  };
}
