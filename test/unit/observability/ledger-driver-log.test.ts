/**
 * While the ledger is down, knex reports every query that cannot get a connection, with the driver's stack: a
 * flash sale turned that into hundreds of multi-line stack traces a second on the service's stderr. serve and
 * worker hand those messages to ledgerDriverLog instead: one JSON line per kind of message and minute.
 */
import { ledgerDriverLog } from '../../../src/observability/ledger-driver-log';
import { createLogger } from '../../../src/observability/logger';

interface Line {
  level: number;
  msg: string;
  detail: string;
  leftOut?: number;
}

function capture(): { lines: Line[]; logger: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { lines, logger };
}

const acquireError = (n: number): string =>
  `Acquire connection error: Error: Connection terminated unexpectedly\n    at Connection.<anonymous> (pg/lib/client.js:${n}:18)\n    at Socket.emit (node:events:524:28)`;

describe('ledgerDriverLog', () => {
  it('writes the first of a burst as one warn line without the stack, then one a minute saying how many were left out', () => {
    const { lines, logger } = capture();
    let now = 0;
    const log = ledgerDriverLog(logger, { now: () => now });
    for (; now < 60_000; now += 100) log(acquireError(now));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'ledger driver',
        detail: 'Acquire connection error: Error: Connection terminated unexpectedly',
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('leftOut');
    log(acquireError(1));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual(expect.objectContaining({ detail: lines[0]?.detail, leftOut: 599 }));
  });

  it('another message is its own line at once', () => {
    const { lines, logger } = capture();
    const log = ledgerDriverLog(logger, { now: () => 0 });
    log(acquireError(1));
    log('Connection Error: error: terminating connection due to administrator command');
    log(acquireError(2));
    expect(lines.map((l) => l.detail)).toEqual([
      'Acquire connection error: Error: Connection terminated unexpectedly',
      'Connection Error: error: terminating connection due to administrator command',
    ]);
  });
});
