/**
 * Where a long-running process (serve, worker) sends knex's own messages. knex prints one for every query that
 * cannot get a connection ("Acquire connection error: Error: … " and the driver's stack), so while the ledger is
 * down a flash sale wrote hundreds of multi-line stack traces a second to stderr. Here each message becomes one
 * JSON line of the process' logger, without the stack (it is the driver's, never pocket's), and the same message
 * is repeated at most once per `everyMs` (RepeatFilter), with the number left out since the last line.
 */
import type { Logger } from './logger';
import { RepeatFilter, type RepeatFilterOptions } from './repeat-filter';

export function ledgerDriverLog(
  logger: Logger,
  options: RepeatFilterOptions = {},
): (message: string) => void {
  const filter = new RepeatFilter(options);
  return (message) => {
    const detail = (message.split('\n', 1)[0] ?? '').trim();
    const leftOut = filter.pass(detail);
    if (leftOut === null) return;
    logger.warn({ detail, ...(leftOut > 0 ? { leftOut } : {}) }, 'ledger driver');
  };
}
