/** The `lakehouse` command line: commands, flags, help with examples, and exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { REPORT_NAMES } from '../../catalog/reports/run-report.js';
import { LakehouseError, UsageError } from '../../etl/errors.js';
import { PIPELINES } from '../registry.js';
import { processIo, type CliIo } from './cli-io.js';
import { demoCommand } from './commands/demo-command.js';
import { historyCommand, optimizeCommand, vacuumCommand } from './commands/maintenance-commands.js';
import { queryCommand, reportCommand, tablesCommand } from './commands/query-commands.js';
import { runCommand } from './commands/run-command.js';
import { generateBanksimCommand, TRANSACTION_PATTERNS, transactionPatternsCommand } from '../transaction-patterns/cli-commands.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

const warehouseOptions = (cmd: Command): Command =>
  cmd
    .option('--warehouse <uri>', 'warehouse: a local folder or s3://bucket/prefix (or "warehouse" in lakehouse.config.json)')
    .option('--catalog <type>', 'local (embedded, default) or glue')
    .option('--engine <type>', 'duckdb (embedded, default) or athena')
    .option('--work-group <name>', 'Athena work group')
    .option('--output-location <uri>', 'Athena results location, s3://...')
    .option('--region <name>', 'AWS region')
    .option('--config <file>', 'configuration file (default ./lakehouse.config.json when present)');

const example = (text: string) => `\nExample:\n  ${text}\n`;

/** Build the program; `io` receives all output, `setExit` the exit code. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('lakehouse')
    .description('Turn raw CSV drops into validated, deduplicated, ACID Delta Lake and Iceberg tables, and query them.')
    .option('--log-level <level>', 'structured log level on stderr: fatal, error, warn, info, debug', 'warn')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program.hook('preAction', (cmd) => {
    io.log.level = (cmd.optsWithGlobals() as { logLevel: string }).logLevel;
  });
  const action =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => setExit(await fn(...args));

  program
    .command('demo')
    .description('generate sample data with deliberate defects, run the e-commerce pipeline twice, print the summary and reports (offline)')
    .option('--dir <dir>', 'folder for the demo raw zone and warehouse', 'lakehouse-demo')
    .addOption(new Option('--format <format>', 'table format').choices(['delta', 'iceberg']).default('delta'))
    .option('--seed <n>', 'seed of the sample data', '42')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', example('npx lakehouse demo --dir /tmp/demo --format iceberg'))
    .action(action((flags) => demoCommand(flags, io)));

  warehouseOptions(
    program
      .command('run')
      .description(`run a pipeline over the new files of the raw zone (pipelines: ${[...Object.keys(PIPELINES), TRANSACTION_PATTERNS].join(', ')})`)
      .argument('<pipeline>', 'pipeline name')
      .option('--raw <uri>', 'raw zone: a local folder or s3://bucket/prefix with one folder per dataset')
      .addOption(new Option('--format <format>', 'table format of new tables').choices(['delta', 'iceberg']))
      .option('--json', 'print the run summary as one JSON object on stdout (logs stay on stderr)')
      .option('--source <uri>', `input files (local or s3://): customer pipelines: a file or folder; ${TRANSACTION_PATTERNS}: transactions.csv`)
      .option('--importance <uri>', `${TRANSACTION_PATTERNS}: CustomerImportance.csv`)
      .option('--out <uri>', `${TRANSACTION_PATTERNS}: output folder or s3://bucket/prefix (chunks, detections, tables)`)
      .option('--interval-ms <n>', `${TRANSACTION_PATTERNS}: wait between chunks (default 1000)`)
      .option('--postgres <url>', `PostgreSQL URL: customer pipelines serve to it (else DATABASE_URL), ${TRANSACTION_PATTERNS} keeps its state there; default: embedded PGlite`)
      .option('--database <name>', 'customer pipelines: PostgreSQL database of the serving table (PGlite: its folder)')
      .option('--table <name>', 'customer pipelines: PostgreSQL serving table (default per pipeline)')
      .option('--rates <pairs>', 'customer-purchases: AUD per unit of each currency, e.g. USD=1.5,AUD=1,EUR=1.65 (default USD=1.5,AUD=1; other currencies are quarantined)'),
  )
    .addHelpText('after', example('npx lakehouse run ecommerce --raw ./raw --warehouse ./warehouse --json') + example(`npx lakehouse run ${TRANSACTION_PATTERNS} --source data/transactions.csv --importance data/CustomerImportance.csv --out ./tp --interval-ms 0`) + '\nExit codes: 0 success, 1 the run failed, 2 bad usage or configuration.\n')
    .action(action((pipeline: string, flags) => (pipeline === TRANSACTION_PATTERNS ? transactionPatternsCommand(flags, io) : runCommand(pipeline, flags, io))));

  program
    .command('generate')
    .description('write a seeded sample data set (banksim: transactions.csv and CustomerImportance.csv with planted pattern cases)')
    .argument('<kind>', 'banksim')
    .option('--rows <n>', 'transactions to generate', '100000')
    .option('--out <dir>', 'output folder or s3://bucket/prefix')
    .option('--seed <n>', 'seed', '42')
    .addHelpText('after', example('npx lakehouse generate banksim --rows 1000000 --out ./data'))
    .action(action((kind: string, flags) => generateBanksimCommand(kind, flags, io)));

  warehouseOptions(
    program
      .command('query')
      .description('run SQL on the warehouse tables (<database>.<table>, e.g. ecommerce.orders)')
      .argument('<sql>', 'the query')
      .addOption(new Option('--output <format>', 'output format').choices(['table', 'json', 'csv']).default('table')),
  )
    .addHelpText('after', example('npx lakehouse query --warehouse ./warehouse "SELECT date, count(*) AS orders FROM ecommerce.orders GROUP BY date ORDER BY date"'))
    .action(action((sql: string, flags) => queryCommand(sql, flags, io)));

  warehouseOptions(
    program
      .command('report')
      .description(`run a named report (${REPORT_NAMES.join(', ')})`)
      .argument('<name>', 'report name')
      .addOption(new Option('--output <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
      .option('--database <name>', 'database of the report tables', 'ecommerce')
      .option('--from <date>', 'first date, YYYY-MM-DD')
      .option('--to <date>', 'last date, YYYY-MM-DD')
      .option('--limit <n>', 'most rows'),
  )
    .addHelpText('after', example('npx lakehouse report daily_sales --warehouse ./warehouse --output csv'))
    .action(action((name: string, flags) => reportCommand(name, flags, io)));

  warehouseOptions(
    program
      .command('tables')
      .description('list the tables in the catalog')
      .option('--database <name>', 'only this database')
      .addOption(new Option('--output <format>', 'output format').choices(['table', 'json', 'csv']).default('table')),
  )
    .addHelpText('after', example('npx lakehouse tables --warehouse ./warehouse'))
    .action(action((flags) => tablesCommand(flags, io)));

  warehouseOptions(
    program
      .command('history')
      .description('the commits of a table, newest first')
      .argument('<table>', '<database>.<table>')
      .option('--limit <n>', 'most entries')
      .addOption(new Option('--output <format>', 'output format').choices(['table', 'json', 'csv']).default('table')),
  )
    .addHelpText('after', example('npx lakehouse history ecommerce.orders --warehouse ./warehouse'))
    .action(action((table: string, flags) => historyCommand(table, flags, io)));

  warehouseOptions(program.command('optimize').description('compact the small files of a table').argument('<table>', '<database>.<table>'))
    .addHelpText('after', example('npx lakehouse optimize ecommerce.order_items --warehouse ./warehouse'))
    .action(action((table: string, flags) => optimizeCommand(table, flags, io)));

  warehouseOptions(
    program
      .command('vacuum')
      .description('delete data files no table version needs any more (Iceberg: expire snapshots, then remove orphans)')
      .argument('<table>', '<database>.<table>')
      .option('--retain-hours <n>', 'keep files removed less than this many hours ago', '168')
      .option('--dry-run', 'list the files, delete nothing')
      .option('--force', 'allow a retention shorter than the table’s (breaks time travel to older versions)'),
  )
    .addHelpText('after', example('npx lakehouse vacuum ecommerce.orders --warehouse ./warehouse --dry-run'))
    .action(action((table: string, flags) => vacuumCommand(table, flags, io)));

  return program;
}

/** Run the CLI with `argv` (as process.argv); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    io.done();
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}`);
      return EXIT_USAGE;
    }
    if (err instanceof LakehouseError) {
      io.err(`error (${err.code}, ${err.kind}): ${err.message}`);
      return EXIT_FAILED;
    }
    io.err(`error: ${(err as Error).stack ?? String(err)}`);
    return EXIT_FAILED;
  }
}
