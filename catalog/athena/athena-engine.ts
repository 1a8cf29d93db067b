/**
 * Amazon Athena as the query engine. A query is started with `StartQueryExecution` (work group,
 * output location, database and catalog, parameters as `ExecutionParameters`, optional result
 * reuse), polled with `GetQueryExecution` under a growing delay until it ends, an overall time limit
 * or an abort (both stop it with `StopQueryExecution`), and its rows are read with
 * `GetQueryResults` page by page and converted by column type. Transient errors of any of these
 * calls (throttling, 5xx, left over after the SDK's own adaptive retries) are retried until the
 * time limit; `StartQueryExecution` carries a client request token, so a retried start never runs
 * the query twice.
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo as AthenaColumnInfo,
  type QueryExecution,
  type StartQueryExecutionInput,
} from '@aws-sdk/client-athena';
import { UsageError } from '../../etl/errors.js';
import { isTransientAwsError, mapAwsError } from '../aws-errors.js';
import { backoffDelay, sleep } from '../backoff.js';
import { QueryCancelledError, QueryFailedError, QueryTimeoutError } from '../errors.js';
import type { ColumnInfo, QueryEngine, QueryOptions, QueryResult, Row, SqlParam } from '../query/query-engine.js';
import { createAthenaClient } from './athena-client.js';
import { executionParameters } from './athena-params.js';
import { fromAthenaText } from './athena-values.js';

/** Options of the Athena engine. */
export interface AthenaEngineOptions {
  /** The client (tests inject one); by default {@link createAthenaClient}. */
  client?: AthenaClient;
  /** Work group (default `primary`). */
  workGroup?: string;
  /** `s3://` folder for result files; may be omitted when the work group sets one. */
  outputLocation?: string;
  /** Database unqualified names resolve in (`QueryExecutionContext.Database`). */
  database?: string;
  /** Data catalog (default `AwsDataCatalog`). */
  catalog?: string;
  /** Reuse results of an identical query up to this many minutes old (off when omitted). */
  resultReuseMaxAgeMinutes?: number;
  /** Default time limit of a query, in ms (default 10 minutes). */
  timeoutMs?: number;
  /** First delay between status polls, in ms (default 200; doubles up to `pollMaxMs`). */
  pollInitialMs?: number;
  /** Longest delay between status polls, in ms (default 5000). */
  pollMaxMs?: number;
  /** Rows per `GetQueryResults` page (default and maximum 1000). */
  pageSize?: number;
}

/** Per-query options of the Athena engine. */
export interface AthenaQueryOptions extends QueryOptions {
  /** Overrides the engine's `resultReuseMaxAgeMinutes` for this query (0 turns reuse off). */
  resultReuseMaxAgeMinutes?: number;
}

/** Why a query is being stopped. */
class Stop extends Error {
  constructor(readonly why: 'timeout' | 'cancelled') {
    super(why);
  }
}

/** Athena over the Glue Data Catalog. */
export class AthenaEngine implements QueryEngine {
  /** Always `athena`. */
  readonly name = 'athena';
  /** The client every call goes through. */
  readonly client: AthenaClient;
  private readonly ownsClient: boolean;
  private readonly options: Required<Pick<AthenaEngineOptions, 'workGroup' | 'catalog' | 'timeoutMs' | 'pollInitialMs' | 'pollMaxMs' | 'pageSize'>> &
    AthenaEngineOptions;

  /** An engine sending queries through `options.client` (by default one from the environment). Throws `UsageError` for a bad `pageSize`. */
  constructor(options: AthenaEngineOptions = {}) {
    this.client = options.client ?? createAthenaClient();
    this.ownsClient = options.client === undefined;
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new UsageError(`pageSize must be 1..1000, got ${pageSize}`);
    this.options = {
      ...options,
      workGroup: options.workGroup ?? 'primary',
      catalog: options.catalog ?? 'AwsDataCatalog',
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
      pollInitialMs: options.pollInitialMs ?? 200,
      pollMaxMs: options.pollMaxMs ?? 5000,
      pageSize,
    };
  }

  /** See {@link QueryEngine.query}. */
  async query<R extends Row = Row>(sql: string, params: readonly SqlParam[] = [], options: AthenaQueryOptions = {}): Promise<QueryResult<R>> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const deadline = started + timeoutMs;
    const signal = options.signal;
    if (signal?.aborted) throw new QueryCancelledError(reasonOf(signal));
    const input = this.startInput(sql, executionParameters(params), options);
    let queryId: string | undefined;
    try {
      const startOut = await this.call('StartQueryExecution', deadline, signal, () => this.client.send(new StartQueryExecutionCommand(input), { abortSignal: signal }));
      queryId = startOut.QueryExecutionId;
      if (!queryId) throw new QueryFailedError('StartQueryExecution returned no QueryExecutionId');
      const execution = await this.waitForEnd(queryId, deadline, signal);
      const { columns, rows } = await this.results<R>(queryId, execution, deadline, signal);
      const statistics = execution.Statistics;
      return {
        columns,
        rows,
        stats: {
          rows: rows.length,
          bytesScanned: statistics?.DataScannedInBytes,
          elapsedMs: performance.now() - started,
          queryId,
          reusedResult: statistics?.ResultReuseInformation?.ReusedPreviousResult ?? false,
        },
      };
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      if (queryId) await this.stop(queryId);
      if (err.why === 'timeout') throw new QueryTimeoutError(timeoutMs, { queryId });
      throw new QueryCancelledError(reasonOf(signal!), { queryId });
    }
  }

  /** Destroy the client when the engine created it. */
  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  private startInput(sql: string, parameters: string[] | undefined, options: AthenaQueryOptions): StartQueryExecutionInput {
    const reuse = options.resultReuseMaxAgeMinutes ?? this.options.resultReuseMaxAgeMinutes;
    return {
      QueryString: sql,
      ClientRequestToken: randomUUID(),
      WorkGroup: this.options.workGroup,
      QueryExecutionContext: { Catalog: this.options.catalog, ...(this.options.database ? { Database: this.options.database } : {}) },
      ...(this.options.outputLocation ? { ResultConfiguration: { OutputLocation: this.options.outputLocation } } : {}),
      ...(parameters ? { ExecutionParameters: parameters } : {}),
      ...(reuse !== undefined && reuse > 0
        ? { ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: reuse } } }
        : {}),
    };
  }

  /** Poll until the query succeeds; FAILED and CANCELLED become typed errors. */
  private async waitForEnd(queryId: string, deadline: number, signal: AbortSignal | undefined): Promise<QueryExecution> {
    let delay = this.options.pollInitialMs;
    for (;;) {
      const out = await this.call('GetQueryExecution', deadline, signal, () =>
        this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }), { abortSignal: signal }),
      );
      const execution = out.QueryExecution ?? {};
      const status = execution.Status;
      switch (status?.State) {
        case 'SUCCEEDED':
          return execution;
        case 'FAILED': {
          const reason = status.StateChangeReason ?? status.AthenaError?.ErrorMessage ?? 'no reason given';
          throw new QueryFailedError(reason, { queryId, kind: status.AthenaError?.Retryable ? 'transient' : 'terminal' });
        }
        case 'CANCELLED':
          throw new QueryCancelledError(status.StateChangeReason ?? 'the query was cancelled', { queryId });
        default:
          await this.pause(delay, deadline, signal);
          delay = Math.min(delay * 2, this.options.pollMaxMs);
      }
    }
  }

  /** Every page of results, converted by column type (the header row of a SELECT is dropped). */
  private async results<R extends Row>(
    queryId: string,
    execution: QueryExecution,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<{ columns: ColumnInfo[]; rows: R[] }> {
    let info: AthenaColumnInfo[] | undefined;
    const rows: R[] = [];
    let NextToken: string | undefined;
    let first = true;
    do {
      const page = await this.call('GetQueryResults', deadline, signal, () =>
        this.client.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, NextToken, MaxResults: this.options.pageSize }), { abortSignal: signal }),
      );
      info ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      let data = page.ResultSet?.Rows ?? [];
      if (first && execution.StatementType === 'DML' && isHeader(data[0]?.Data, info)) data = data.slice(1);
      first = false;
      for (const row of data) {
        const out: Row = {};
        info.forEach((column, i) => {
          out[column.Label ?? column.Name ?? `_col${i}`] = fromAthenaText(row.Data?.[i]?.VarCharValue, column.Type ?? 'varchar');
        });
        rows.push(out as R);
      }
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    const columns = (info ?? []).map((c, i) => ({ name: c.Label ?? c.Name ?? `_col${i}`, type: (c.Type ?? 'varchar').toLowerCase() }));
    return { columns, rows };
  }

  /**
   * One API call; transient failures are retried with backoff until the deadline. Throws `Stop`
   * when the deadline passes or `signal` aborts, and the mapped error for anything else.
   */
  private async call<T>(action: string, deadline: number, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.checkStop(deadline, signal);
      try {
        return await send();
      } catch (err) {
        if (signal?.aborted) throw new Stop('cancelled');
        if (!isTransientAwsError(err)) throw mapAwsError(err, `Athena ${action}`);
        const delay = backoffDelay(attempt, this.options.pollInitialMs, this.options.pollMaxMs);
        if (performance.now() + delay >= deadline) {
          throw mapAwsError(err, `Athena ${action}`);
        }
        await this.pause(delay, deadline, signal);
      }
    }
  }

  /** Sleep `ms` (cut at the deadline); throws `Stop` on abort or when the deadline passes. */
  private async pause(ms: number, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await sleep(Math.min(ms, Math.max(0, deadline - performance.now())), signal);
    } catch {
      throw new Stop('cancelled');
    }
    this.checkStop(deadline, signal);
  }

  private checkStop(deadline: number, signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new Stop('cancelled');
    if (performance.now() >= deadline) throw new Stop('timeout');
  }

  /** `StopQueryExecution`, best effort (the query may have ended meanwhile). */
  private async stop(queryId: string): Promise<void> {
    try {
      await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
    } catch {
      // Nothing more to do: the caller gets the cancellation or timeout error either way.
    }
  }
}

/** True when a row repeats the column labels (the header row Athena puts first in a SELECT's results). */
function isHeader(data: { VarCharValue?: string }[] | undefined, info: AthenaColumnInfo[]): boolean {
  if (!data || data.length !== info.length) return false;
  return data.every((cell, i) => cell.VarCharValue === (info[i]!.Label ?? info[i]!.Name));
}

function reasonOf(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}
