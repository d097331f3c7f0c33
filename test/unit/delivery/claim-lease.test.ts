import { claimLeaseMs, SEND_SLACK_MS, sendLeaseMs } from '../../../src/delivery/claim-lease';
import { DEFAULT_RELAY_SETTINGS } from '../../../src/delivery/outbox-relay';

describe('claim lease', () => {
  it('renews a claim before a send for longer than the issuer timeout', () => {
    expect(SEND_SLACK_MS).toBe(5_000);
    expect(sendLeaseMs(2_000)).toBe(7_000);
    expect(sendLeaseMs(60_000)).toBe(65_000);
    for (const timeout of [0, 1, 300, 2_000, 25_000, 60_000]) {
      expect(sendLeaseMs(timeout)).toBeGreaterThan(timeout);
    }
  });

  it('keeps the 60 s claim with the default settings and timeout (7 rounds of 7 s fit)', () => {
    expect(claimLeaseMs(DEFAULT_RELAY_SETTINGS, sendLeaseMs(2_000))).toBe(60_000);
  });

  it("covers every round of the batch with a slow issuer: the reviewer's 25 s timeout needs 7 × 30 s", () => {
    const settings = { batchSize: 50, concurrency: 8, leaseMs: 60_000 };
    expect(claimLeaseMs(settings, sendLeaseMs(25_000))).toBe(210_000);
    expect(claimLeaseMs(settings, sendLeaseMs(60_000))).toBe(7 * 65_000);
    // One round when the batch fits the concurrency; a partial last round counts whole.
    expect(claimLeaseMs({ batchSize: 8, concurrency: 8, leaseMs: 1_000 }, 30_000)).toBe(30_000);
    expect(claimLeaseMs({ batchSize: 9, concurrency: 8, leaseMs: 1_000 }, 30_000)).toBe(60_000);
  });

  it('is never shorter than the configured lease nor than every round, whatever the settings', () => {
    for (const batchSize of [0, 1, 7, 50, 51, 500]) {
      for (const concurrency of [0, 1, 3, 8, 64]) {
        for (const timeout of [100, 2_000, 25_000, 60_000]) {
          const settings = { batchSize, concurrency, leaseMs: 60_000 };
          const lease = claimLeaseMs(settings, sendLeaseMs(timeout));
          const rounds = Math.ceil(Math.max(batchSize, 1) / Math.max(concurrency, 1));
          expect(lease).toBeGreaterThanOrEqual(60_000);
          expect(lease).toBeGreaterThanOrEqual(rounds * sendLeaseMs(timeout));
        }
      }
    }
  });
});
