/**
 * Where a long-running process (serve, worker) sends knex's own messages. knex prints one for every query that
 * cannot get a connection ("Acquire connection error: Error: … " and the driver's stack), so while the ledger is
 * down a flash sale wrote hundreds of multi-line stack traces a second to stderr. Here each message becomes one
 * JSON line of the process' logger, without the stack (it is the driver's, never pocket's), and the same message
 * is repeated at most once per `everyMs`, with the number left out since the last line.
 */
import type { Logger } from './logger';

export interface LedgerDriverLogOptions {
  /** Default 60,000 ms. */
  everyMs?: number;
  now?: () => number;
  /** How many distinct messages are remembered; more starts afresh. Default 100. */
  maxKinds?: number;
}

export function ledgerDriverLog(
  logger: Logger,
  options: LedgerDriverLogOptions = {},
): (message: string) => void {
  const everyMs = options.everyMs ?? 60_000;
  const now = options.now ?? Date.now;
  const maxKinds = options.maxKinds ?? 100;
  const seen = new Map<string, { at: number; leftOut: number }>();
  return (message) => {
    const detail = (message.split('\n', 1)[0] ?? '').trim();
    const at = now();
    const last = seen.get(detail);
    if (last && at - last.at < everyMs) {
      last.leftOut++;
      return;
    }
    if (!last && seen.size >= maxKinds) seen.clear();
    seen.set(detail, { at, leftOut: 0 });
    logger.warn({ detail, ...(last?.leftOut ? { leftOut: last.leftOut } : {}) }, 'ledger driver');
  };
}
