/** The error of the CSV decode thread itself (as opposed to the CSV errors it reports). */
import { LakehouseError } from '../etl/errors.js';

/**
 * The CSV decode worker thread could not be started, crashed, or failed with an unexpected error
 * (a bug, or out of memory). Terminal: the message names the original error.
 */
export class DecodeWorkerError extends LakehouseError {
  /** Makes the error; `cause` is the worker's error event, when there is one. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('decode_worker', 'terminal', message, options);
  }
}
