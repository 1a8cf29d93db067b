/**
 * A separate process for the embedded catalog's concurrency tests. It opens the catalog of a
 * warehouse, prints `ready`, waits for a line on stdin (so all workers start together), then:
 *  - `swap <table> <expected-location> <next-location>`: one swap; prints `won` or `lost <error code>`.
 *  - `commit <table> <worker> <count>`: `count` Iceberg-style commits (read the pointer, swap to a
 *    new location, re-read on conflict); prints `committed <location>` after each.
 *  - `register <database> <table> <location> <columns...>`: registers the table once per column,
 *    each time adding that column; prints `registered`.
 * Usage: node --import tsx catalog-worker.ts <warehouse-uri> <mode> <args...>
 */
import * as arrow from 'apache-arrow';
import { createInterface } from 'node:readline';
import { EmbeddedCatalog } from '../../../catalog/embedded/embedded-catalog.js';
import { CommitConflictError, LakehouseError } from '../../../etl/errors.js';
import { openStore } from '../../../etl/storage/open-store.js';

const [uri, mode, ...args] = process.argv.slice(2);
const catalog = new EmbeddedCatalog(openStore(uri!));
const out = (line: string) => process.stdout.write(`${line}\n`);

out('ready');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));

if (mode === 'swap') {
  const [table, expected, next] = args as [string, string, string];
  try {
    await catalog.swap(table, { metadataLocation: expected, token: '' }, next);
    out('won');
  } catch (err) {
    out(`lost ${err instanceof LakehouseError ? err.code : String(err)}`);
  }
} else if (mode === 'commit') {
  const [table, worker, count] = args as [string, string, string];
  for (let i = 0; i < Number(count); i++) {
    const next = `s3://lake/t/metadata/w${worker}-c${i}.metadata.json`;
    for (;;) {
      const current = await catalog.current(table);
      try {
        await catalog.swap(table, current, next);
        out(`committed ${next}`);
        break;
      } catch (err) {
        if (!(err instanceof CommitConflictError)) throw err;
      }
    }
  }
} else if (mode === 'register') {
  const [database, name, location, ...columns] = args as [string, string, string, ...string[]];
  for (const column of columns) {
    const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int32(), false), new arrow.Field(column, new arrow.Utf8(), true)]);
    await catalog.registerTable({ database, name, format: 'delta', location, schema });
  }
  out('registered');
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.exit(0);
