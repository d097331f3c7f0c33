import type { CampaignCounters } from '../../../src/hot-state/hot-state';
import {
  diffCounters,
  intersectRanges,
  persistentDrift,
  usedPositions,
} from '../../../src/reconciliation/counter-diff';

function counters(over: Partial<CampaignCounters> = {}): CampaignCounters {
  return { stock: {}, budget: { top: 0, free: [] }, daily: {}, ...over };
}

describe('counter diff', () => {
  it('sees stock slots and budget ranges as positions in use', () => {
    const used = usedPositions(
      counters({
        stock: { rp: { top: 5, free: [2, 4] } },
        budget: { top: 100, free: [[10, 30]] },
        daily: { '2026-11-11': { top: 50, free: [] } },
      }),
    );
    expect(used.get('stock:rp')).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(used.get('budget')).toEqual([
      [0, 10],
      [30, 100],
    ]);
    expect(used.get('daily:2026-11-11')).toEqual([[0, 50]]);
  });

  it('finds nothing when both sides hold the same positions, whatever their form', () => {
    const a = counters({
      stock: { rp: { top: 3, free: [] }, other: { top: 0, free: [] } },
      budget: { top: 10, free: [] },
    });
    const b = counters({ stock: { rp: { top: 3, free: [] } }, budget: { top: 10, free: [] } });
    expect(diffCounters(a, b)).toEqual([]);
  });

  it('names what only the hot state holds (a leak) and what it lost (a position the ledger uses)', () => {
    const hot = counters({ stock: { rp: { top: 6, free: [3] } }, budget: { top: 500, free: [[100, 200]] } });
    const expected = counters({ stock: { rp: { top: 5, free: [] } }, budget: { top: 400, free: [] } });
    expect(diffCounters(hot, expected)).toEqual([
      {
        resource: 'budget',
        hotOnly: [[400, 500]],
        expectedOnly: [[100, 200]],
        hotUsed: 400,
        expectedUsed: 400,
      },
      { resource: 'stock:rp', hotOnly: [[5, 6]], expectedOnly: [[2, 3]], hotUsed: 5, expectedUsed: 5 },
    ]);
  });

  it('keeps only drift seen in both comparisons: a position in flight during one read is not drift', () => {
    const leak = {
      resource: 'stock:rp',
      hotOnly: [[9, 10]] as Array<[number, number]>,
      expectedOnly: [],
      hotUsed: 10,
      expectedUsed: 9,
    };
    const inFlightFirst = {
      resource: 'budget',
      hotOnly: [[0, 50]] as Array<[number, number]>,
      expectedOnly: [],
      hotUsed: 50,
      expectedUsed: 0,
    };
    const inFlightSecond = {
      resource: 'budget',
      hotOnly: [[50, 80]] as Array<[number, number]>,
      expectedOnly: [],
      hotUsed: 80,
      expectedUsed: 50,
    };
    const first = [inFlightFirst, { ...leak, hotOnly: [[8, 10]] as Array<[number, number]> }];
    const second = [inFlightSecond, leak];
    expect(persistentDrift(first, second)).toEqual([leak]);
    expect(persistentDrift(first, [])).toEqual([]);
    expect(
      intersectRanges(
        [
          [0, 10],
          [20, 30],
        ],
        [[5, 25]],
      ),
    ).toEqual([
      [5, 10],
      [20, 25],
    ]);
  });
});
