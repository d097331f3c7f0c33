/**
 * A shutdown ends even when something it closes never does: a pool waits for the statements it lent out, and one
 * stuck on a connection that went silent (an admin transaction during a failover) never came back. After
 * CLOSE_TIMEOUT_MS the rest is left as it is, with a warning, and `pocket serve` exits.
 */
import { Writable } from 'node:stream';
import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { createLogger } from '../../../src/observability/logger';
import { CLOSE_TIMEOUT_MS, startPocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';

jest.setTimeout(30_000);

/** A hot state whose close never settles, as a pool's close waiting for a statement stuck on a silent ledger. */
class StuckOnClose extends MemoryHotState {
  override close(): Promise<void> {
    return new Promise(() => undefined);
  }
}

it('resolves CLOSE_TIMEOUT_MS after the drain when closing hangs, and says so', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const running = await startPocket(
    { ...testConfig(), port: 0, host: '127.0.0.1', shutdownGraceMs: 1000 },
    { logger: createLogger('warn', sink), hotState: new StuckOnClose() },
  );
  const started = Date.now();
  // Before, it never resolved (the test's own timeout).
  await running.shutdown();
  const took = Date.now() - started;
  expect(took).toBeGreaterThanOrEqual(CLOSE_TIMEOUT_MS - 100);
  expect(took).toBeLessThan(CLOSE_TIMEOUT_MS + 5000);
  expect(lines.join('')).toContain(`not closed within ${CLOSE_TIMEOUT_MS} ms`);
  await running.pocket.db.destroy();
});
