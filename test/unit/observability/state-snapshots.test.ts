import type { AvailabilitySnapshot } from '../../../src/hot-state/hot-state';
import type { CampaignSnapshot } from '../../../src/publishing/campaign-snapshot';
import { campaignState, ledgerStateSnapshots } from '../../../src/observability/metrics/state-snapshots';
import type { CampaignDefinition } from '../../../src/definitions/campaign-types';
import type { Db } from '../../../src/ledger/db';

const definition = {
  id: 'sale',
  timezone: 'Asia/Shanghai',
  budget: { currency: 'CNY', total: 1000, daily: 300 },
  rewards: [
    { id: 'rp', type: 'red_packet', amount: { min: 1, max: 2 }, stock: 10 },
    { id: 'cp', type: 'coupon', value: 10, cost: 5 },
    { id: 'thanks', type: 'none' },
  ],
} as unknown as CampaignDefinition;
const snapshot = { campaignId: 'sale', definition } as CampaignSnapshot;

describe('campaignState', () => {
  it('is stock and budget left, never below zero; unlimited stock and absent budgets are left out', () => {
    expect(campaignState(snapshot, { stockUsed: { rp: 4, cp: 99 }, spent: 250, dailySpent: 320 })).toEqual({
      campaignId: 'sale',
      stockRemaining: { rp: 6 },
      budgetRemaining: { total: 750, daily: 0 },
    });
    const noBudget = {
      campaignId: 'x',
      definition: { ...definition, budget: undefined },
    } as unknown as CampaignSnapshot;
    expect(campaignState(noBudget, { stockUsed: {}, spent: 0, dailySpent: 0 }).budgetRemaining).toEqual({
      total: null,
      daily: null,
    });
  });
});

describe('ledgerStateSnapshots', () => {
  function setup() {
    let ticks = 0;
    const calls = { hot: 0, outbox: 0, reads: 0 };
    let fail = false;
    const state = ledgerStateSnapshots({
      db: {} as Db,
      hotState: {
        availability: (): Promise<AvailabilitySnapshot> => {
          calls.hot += 1;
          if (fail) return Promise.reject(new Error('redis down'));
          return Promise.resolve({
            initialized: calls.hot !== 3,
            stockUsed: { rp: calls.hot },
            spent: 0,
            dailySpent: 0,
          });
        },
      },
      registry: { list: () => [snapshot] },
      outbox: {
        stats: () => {
          calls.outbox += 1;
          return Promise.resolve({
            pending: 3,
            due: 2,
            inFlight: 1,
            dead: 0,
            oldestPendingAt: new Date('2026-11-11T00:00:00Z'),
          });
        },
      },
      reads: {
        openDiscrepancies: () => {
          calls.reads += 1;
          return Promise.resolve([]);
        },
      },
      clock: () => new Date('2026-11-11T00:01:30Z'),
      ttlMs: 5000,
      ticks: () => ticks,
    });
    return { state, calls, advance: (ms: number) => (ticks += ms), failNext: (v: boolean) => (fail = v) };
  }

  it('reads each source at most once per TTL, and concurrent scrapes share one read', async () => {
    const { state, calls, advance } = setup();
    const [a, b] = await Promise.all([state.campaigns(), state.campaigns()]);
    expect(a).toBe(b);
    advance(4999);
    await state.campaigns();
    await state.delivery();
    await state.delivery();
    expect([calls.hot, calls.outbox]).toEqual([1, 1]);
    advance(1);
    expect((await state.campaigns())[0]?.stockRemaining).toEqual({ rp: 8 });
    expect(calls.hot).toBe(2);
  });

  it('leaves out a campaign whose hot counters are not initialized, and computes the delivery lag', async () => {
    const { state, advance } = setup();
    await state.campaigns();
    advance(5000);
    await state.campaigns();
    advance(5000);
    expect(await state.campaigns()).toEqual([]);
    expect(await state.delivery()).toEqual({ pending: 3, due: 2, in_flight: 1, dead: 0, lagSeconds: 90 });
  });

  it('does not keep a failed read: the next scrape tries again', async () => {
    const { state, calls, failNext } = setup();
    failNext(true);
    await expect(state.campaigns()).rejects.toThrow('redis down');
    failNext(false);
    await expect(state.campaigns()).resolves.toHaveLength(1);
    expect(calls.hot).toBe(2);
  });
});
