/** The rebuilder says when it loaded a campaign's counters, so an operator sees the recovery, not only failures. */
import type { CampaignCounters } from '../../../src/hot-state/hot-state';
import { MemoryHotState } from '../../../src/hot-state/memory-hot-state';
import { CounterRebuilder } from '../../../src/reconciliation/counter-rebuilder';

const LEDGER: CampaignCounters = {
  stock: { rp: { top: 3, free: [] } },
  budget: { top: 300, free: [] },
  daily: {},
};

describe('CounterRebuilder', () => {
  it('reports each load it wrote, with the live reservations it merged, and nothing when counters were there', async () => {
    const hotState = new MemoryHotState();
    const loaded: Array<[string, number]> = [];
    const rebuilder = new CounterRebuilder(
      hotState,
      { campaignCounters: async () => LEDGER },
      () => undefined,
      (campaignId, live) => loaded.push([campaignId, live]),
    );
    expect(await rebuilder.ensure('c')).toBe(true);
    expect(await rebuilder.ensure('c')).toBe(true);
    expect(loaded).toEqual([['c', 0]]);
    expect((await hotState.readCounters('c'))?.budget.top).toBe(300);
    // Another process (or instance) initialized first: this one wrote nothing, so it reports nothing.
    await hotState.invalidate('c');
    const first = hotState.initialize.bind(hotState);
    hotState.initialize = async (id, counters, force) => {
      await first(id, counters, force);
      return first(id, counters, force);
    };
    expect(await rebuilder.ensure('c')).toBe(true);
    expect(loaded).toEqual([['c', 0]]);
  });

  it('reports a failure, not a load, when the ledger cannot be read', async () => {
    const errors: string[] = [];
    const loaded: string[] = [];
    const rebuilder = new CounterRebuilder(
      new MemoryHotState(),
      {
        campaignCounters: () => Promise.reject(new Error('ledger down')),
      },
      (campaignId) => errors.push(campaignId),
      (campaignId) => loaded.push(campaignId),
    );
    expect(await rebuilder.ensure('c')).toBe(false);
    expect([errors, loaded]).toEqual([['c'], []]);
  });
});
