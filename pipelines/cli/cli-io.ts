/**
 * Where the CLI writes: results to stdout, everything else (progress, logs, errors) to stderr, so that
 * `--json` output can be piped. Progress is one rewritten line on a terminal and plain lines otherwise.
 */
import pino, { type Logger } from 'pino';

/** The CLI's output channels. */
export interface CliIo {
  /** Print a result line to stdout. */
  out(text: string): void;
  /** Print a line for the user to stderr. */
  err(text: string): void;
  /** Show progress of a long step (overwritten in place on a terminal). */
  progress(text: string): void;
  /** End the current progress line. */
  done(): void;
  /** Structured logs (pino, JSON lines on stderr). */
  log: Logger;
}

/** The process's stdout/stderr with a pino logger at `level`. */
export function processIo(level = 'warn'): CliIo {
  const tty = Boolean(process.stderr.isTTY);
  let open = false;
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => {
      if (open) process.stderr.write('\n');
      open = false;
      process.stderr.write(`${text}\n`);
    },
    progress: (text) => {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${text}`);
        open = true;
      } else {
        process.stderr.write(`${text}\n`);
      }
    },
    done: () => {
      if (open) process.stderr.write('\n');
      open = false;
    },
    log: pino({ level, base: undefined }, pino.destination(2)),
  };
}
