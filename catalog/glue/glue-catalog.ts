/**
 * The AWS Glue Data Catalog as the lakehouse catalog. Databases and tables are created or updated
 * idempotently; every update is optimistic: `UpdateTable` carries the `VersionId` read by
 * `GetTable`, and a `ConcurrentModificationException` (another writer updated in between) makes it
 * re-read, re-apply and retry, up to a limit. An Iceberg pointer swap is the same update with the
 * compare done on `metadata_location`: a moved pointer is a `CommitConflictError`.
 */
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  UpdateTableCommand,
  type GlueClient,
  type Table,
} from '@aws-sdk/client-glue';
import { CommitConflictError, NotFoundError, UsageError } from '../../etl/errors.js';
import type { MetadataPointer } from '../../etl/iceberg/metadata-pointer.js';
import { awsErrorName, mapAwsError } from '../aws-errors.js';
import { backoffDelay, sleep } from '../backoff.js';
import type { Catalog, CatalogTable, TableDefinition } from '../catalog.js';
import { checkIdentifier, parseTableName } from '../names.js';
import { checkDefinition, EMPTY_SCHEMA, mergeDefinition, sameState, tableRootOf, type TableState } from '../table-entry.js';
import { createGlueClient } from './glue-client.js';
import { catalogTableOf, tableInputOf, type GluePointer } from './glue-table.js';

/** Options of the Glue catalog. */
export interface GlueCatalogOptions {
  /** The client (tests inject one); by default {@link createGlueClient}. */
  client?: GlueClient;
  /** The AWS account id of the Data Catalog, when not the caller's. */
  catalogId?: string;
  /** Attempts of one update while `ConcurrentModificationException` keeps coming (default 8). */
  maxAttempts?: number;
  /** Base delay between those attempts, in ms (default 50; doubles, jittered, capped at 2 s). */
  retryBaseMs?: number;
}

/** What an update wants written over the table read (undefined: absent), or undefined for nothing. */
type Change = (current: CatalogTable | undefined) => { state: TableState; pointer: GluePointer } | undefined;

/** A catalog in AWS Glue. */
export class GlueCatalog implements Catalog {
  /** Always `glue`. */
  readonly kind = 'glue';
  /** The client every call goes through. */
  readonly client: GlueClient;
  private readonly catalogId: string | undefined;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;

  /** A catalog over the Glue Data Catalog reached through `options.client` (by default one from the environment). */
  constructor(options: GlueCatalogOptions = {}) {
    this.client = options.client ?? createGlueClient();
    this.catalogId = options.catalogId;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.retryBaseMs = options.retryBaseMs ?? 50;
  }

  /** `CreateDatabase`; false when it already existed. */
  async createDatabase(name: string): Promise<boolean> {
    checkIdentifier(name, 'database');
    try {
      await this.client.send(new CreateDatabaseCommand({ CatalogId: this.catalogId, DatabaseInput: { Name: name } }));
      return true;
    } catch (err) {
      if (awsErrorName(err) === 'AlreadyExistsException') return false;
      throw mapAwsError(err, `Glue CreateDatabase ${name}`);
    }
  }

  /** `GetDatabases`, every page. */
  async listDatabases(): Promise<string[]> {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      try {
        const page = await this.client.send(new GetDatabasesCommand({ CatalogId: this.catalogId, NextToken }));
        for (const db of page.DatabaseList ?? []) if (db.Name) names.push(db.Name);
        NextToken = page.NextToken || undefined;
      } catch (err) {
        throw mapAwsError(err, 'Glue GetDatabases');
      }
    } while (NextToken);
    return names.sort();
  }

  /** See {@link Catalog.registerTable}. */
  async registerTable(definition: TableDefinition): Promise<CatalogTable> {
    checkDefinition(definition);
    const { database, name } = definition;
    const written = await this.update(database, name, (current) => {
      const state = mergeDefinition(current, definition);
      if (current && sameState(current, state)) return undefined;
      return { state, pointer: { metadataLocation: current?.metadataLocation, previousMetadataLocation: current?.previousMetadataLocation } };
    });
    return written!;
  }

  /** See {@link Catalog.getTable}. Tables that are neither Delta nor Iceberg read as absent. */
  async getTable(database: string, name: string): Promise<CatalogTable | undefined> {
    checkIdentifier(database, 'database');
    checkIdentifier(name, 'table');
    const table = await this.fetch(database, name);
    return table && catalogTableOf(database, table);
  }

  /** See {@link Catalog.listTables}. Tables that are neither Delta nor Iceberg are left out. */
  async listTables(database?: string): Promise<CatalogTable[]> {
    if (database === undefined) {
      const all = await Promise.all((await this.listDatabases()).map((db) => this.listTables(db)));
      return all.flat();
    }
    checkIdentifier(database, 'database');
    const tables: CatalogTable[] = [];
    let NextToken: string | undefined;
    do {
      try {
        const page = await this.client.send(new GetTablesCommand({ CatalogId: this.catalogId, DatabaseName: database, NextToken }));
        for (const t of page.TableList ?? []) {
          const table = catalogTableOf(database, t);
          if (table) tables.push(table);
        }
        NextToken = page.NextToken || undefined;
      } catch (err) {
        throw mapAwsError(err, `Glue GetTables ${database}`);
      }
    } while (NextToken);
    return tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** `DeleteTable`; false when the table did not exist. */
  async dropTable(database: string, name: string): Promise<boolean> {
    checkIdentifier(database, 'database');
    checkIdentifier(name, 'table');
    try {
      await this.client.send(new DeleteTableCommand({ CatalogId: this.catalogId, DatabaseName: database, Name: name }));
      return true;
    } catch (err) {
      if (awsErrorName(err) !== 'EntityNotFoundException') throw mapAwsError(err, `Glue DeleteTable ${database}.${name}`);
      await this.requireDatabase(database);
      return false;
    }
  }

  /** `metadata_location` of the table, with its `VersionId` as token. */
  async current(table: string): Promise<MetadataPointer | undefined> {
    const { database, name } = parseTableName(table);
    const found = await this.fetchIfDatabase(database, name);
    const location = found?.Parameters?.metadata_location;
    return location === undefined ? undefined : { metadataLocation: location, token: found?.VersionId ?? '' };
  }

  /**
   * Point the table at `next` if its `metadata_location` is still `expected`'s: `UpdateTable` with
   * the `VersionId` just read, `previous_metadata_location` set to the old pointer. A
   * `ConcurrentModificationException` re-reads: if the pointer moved the swap fails with
   * `CommitConflictError`, else (another update that left the pointer alone) it is retried. A table
   * not yet in Glue is created by its first swap (as an Iceberg table rooted above `metadata/`, no
   * columns). The Glue columns, partition keys and parameters are carried over unchanged: the new
   * metadata's schema is not copied into Glue (`registerTable` sets the columns; see {@link Catalog}).
   */
  async swap(table: string, expected: MetadataPointer | undefined, next: string): Promise<MetadataPointer> {
    const { database, name } = parseTableName(table);
    const written = await this.update(database, name, (current) => {
      if (current && current.format !== 'iceberg') {
        throw new UsageError(`${table} is a ${current.format} table; only Iceberg tables have a metadata pointer`);
      }
      const pointer = current?.metadataLocation;
      if (pointer !== expected?.metadataLocation) {
        throw new CommitConflictError(
          `${table}: metadata_location is ${pointer ?? 'unset'}, not ${expected?.metadataLocation ?? 'unset'} as expected (another writer committed)`,
        );
      }
      const state: TableState = current ?? { format: 'iceberg', location: tableRootOf(next), schema: EMPTY_SCHEMA, partitionKeys: [], properties: {} };
      return { state, pointer: { metadataLocation: next, previousMetadataLocation: pointer } };
    });
    return { metadataLocation: next, token: written!.version };
  }

  /**
   * Read the table, apply `change`, and create or update it: `CreateTable` when absent (a
   * concurrent create makes it re-read), else `UpdateTable` with the `VersionId` read (a
   * `ConcurrentModificationException` makes it re-read). Returns the table as written (re-read),
   * or as read when `change` wanted nothing written.
   */
  private async update(database: string, name: string, change: Change): Promise<CatalogTable | undefined> {
    const qualified = `${database}.${name}`;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const found = await this.fetchIfDatabase(database, name);
      if (!found) await this.requireDatabase(database);
      const current = found && catalogTableOf(database, found);
      if (found && !current) throw new UsageError(`${qualified} exists in Glue and is neither a Delta nor an Iceberg table`);
      const wanted = change(current);
      if (!wanted) return current;
      const TableInput = tableInputOf(name, wanted.state, wanted.pointer);
      try {
        if (!found) {
          await this.client.send(new CreateTableCommand({ CatalogId: this.catalogId, DatabaseName: database, TableInput }));
        } else {
          await this.client.send(
            new UpdateTableCommand({ CatalogId: this.catalogId, DatabaseName: database, TableInput, VersionId: found.VersionId }),
          );
        }
      } catch (err) {
        const code = awsErrorName(err);
        if (code === 'ConcurrentModificationException' || (code === 'AlreadyExistsException' && !found)) {
          await sleep(backoffDelay(attempt, this.retryBaseMs, 2000));
          continue;
        }
        if (code === 'EntityNotFoundException') await this.requireDatabase(database);
        throw mapAwsError(err, `Glue ${found ? 'UpdateTable' : 'CreateTable'} ${qualified}`);
      }
      const after = await this.fetchIfDatabase(database, name);
      const table = after && catalogTableOf(database, after);
      if (!table) throw new CommitConflictError(`${qualified} was dropped right after it was written`);
      return table;
    }
    throw new CommitConflictError(`${qualified}: gave up updating the Glue table after ${this.maxAttempts} attempts (concurrent modifications kept winning)`);
  }

  /** `GetTable`, or undefined when the table (or its database) does not exist. */
  private async fetchIfDatabase(database: string, name: string): Promise<Table | undefined> {
    try {
      const out = await this.client.send(new GetTableCommand({ CatalogId: this.catalogId, DatabaseName: database, Name: name }));
      return out.Table;
    } catch (err) {
      if (awsErrorName(err) === 'EntityNotFoundException') return undefined;
      throw mapAwsError(err, `Glue GetTable ${database}.${name}`);
    }
  }

  /** `GetTable`, or undefined when the table does not exist; `NotFoundError` when the database does not. */
  private async fetch(database: string, name: string): Promise<Table | undefined> {
    const table = await this.fetchIfDatabase(database, name);
    if (!table) await this.requireDatabase(database);
    return table;
  }

  private async requireDatabase(database: string): Promise<void> {
    try {
      await this.client.send(new GetDatabaseCommand({ CatalogId: this.catalogId, Name: database }));
    } catch (err) {
      if (awsErrorName(err) === 'EntityNotFoundException') {
        throw new NotFoundError(`database ${database} does not exist in the Glue Data Catalog`, { cause: err });
      }
      throw mapAwsError(err, `Glue GetDatabase ${database}`);
    }
  }
}
