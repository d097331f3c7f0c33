/**
 * The relay polls the outbox every second; while the ledger is down each poll fails the same way. It used to
 * log every failure with its stack (a line a second per worker for the whole outage); now the first, then the
 * same failure at most once a minute (repeatLimitedWarn).
 */
import type { DeliveryService } from '../../../src/delivery/delivery-service';
import { OutboxRelay } from '../../../src/delivery/outbox-relay';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { createLogger } from '../../../src/observability/logger';
import { withLedger } from '../../helpers/ledger';

it('a ledger that fails every poll is logged once, not once a poll', async () => {
  const ledger = await withLedger('sqlite');
  await ledger.destroy(); // every query now fails: "Unable to acquire a connection"
  const lines: Array<{ msg: string; err?: { message: string } }> = [];
  const logger = createLogger('warn', {
    write: (line: string) => void lines.push(JSON.parse(line) as never),
  });
  const relay = new OutboxRelay({
    db: ledger.db,
    outbox: new KnexOutboxStore(),
    delivery: { sendLeaseMs: 1000 } as unknown as DeliveryService,
    clock: () => new Date(),
    logger,
  });
  // Counted, not timed: the relay asks active() before each poll, so once it asks for the 21st, 20 have failed.
  // (A fixed 200 ms could hold no failed poll at all on a busy host, and the test proves nothing with one or two.)
  let polls = 0;
  relay.start(5, () => {
    polls += 1;
    return true;
  });
  for (const deadline = Date.now() + 10_000; polls <= 20 && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 10));
  await relay.stop();
  expect(polls).toBeGreaterThan(20);
  expect(lines).toEqual([
    expect.objectContaining({
      msg: 'outbox relay batch failed',
      err: expect.objectContaining({}) as unknown,
    }),
  ]);
});
