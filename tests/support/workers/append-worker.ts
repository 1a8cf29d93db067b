/**
 * A separate writer process for the concurrency and crash tests: appends `batches` batches of `rows`
 * rows to a Delta table, each with txn (appId = worker id, version = batch number). Ids are
 * worker * 1,000,000 + batch * 1,000 + row, so every row is identifiable.
 * Usage: node --import tsx append-worker.ts <store-uri> <table-key> <worker> <batches> <rows> [start-batch]
 * Prints `ready` when loaded and `committed <batch> <version>` after each commit.
 */
import * as arrow from 'apache-arrow';
import { DeltaTable, write } from '../../../etl/delta/index.js';
import { openStore } from '../../../etl/storage/open-store.js';
import { PrefixedStore } from '../../../etl/storage/prefixed-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../fixtures.js';

const [uri, key, workerArg, batchesArg, rowsArg, startArg] = process.argv.slice(2);
const worker = Number(workerArg);
const batches = Number(batchesArg);
const rows = Number(rowsArg);
const start = Number(startArg ?? 0);
const store = new PrefixedStore(openStore(uri!), key!);
const table = await DeltaTable.openOrCreate(store, { schema: ORDER_ITEMS_SCHEMA, partitionColumns: ['date'] });
process.stdout.write('ready\n');
for (let b = start; b < start + batches; b++) {
  const data = orderItems(rows, worker * 1_000_000 + b * 1_000, { days: 2, seed: worker * 7919 + b });
  const m = await write(table, data as arrow.Table, { txn: { appId: `worker-${worker}`, version: b } });
  process.stdout.write(`committed ${b} ${m.version} ${m.skipped ? 'skipped' : 'new'}\n`);
}
