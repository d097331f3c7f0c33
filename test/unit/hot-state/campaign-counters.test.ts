import { normalizeCounters, normalizeRanges, normalizeSlots } from '../../../src/hot-state/campaign-counters';

describe('normalizeSlots', () => {
  it('sorts free slots and folds free slots at the top into a lower top', () => {
    expect(normalizeSlots('s', { top: 6, free: [6, 2, 5, 3] })).toEqual({ top: 4, free: [2, 3] });
    expect(normalizeSlots('s', { top: 2, free: [1, 2] })).toEqual({ top: 0, free: [] });
  });

  it.each([
    [{ top: 3, free: [0] }, 'outside 1..top'],
    [{ top: 3, free: [4] }, 'outside 1..top'],
    [{ top: 3, free: [2, 2] }, 'listed twice'],
    [{ top: -1, free: [] }, 'non-negative integer'],
    [{ top: 1.5, free: [] }, 'non-negative integer'],
  ])('refuses %j', (counter, message) => {
    expect(() => normalizeSlots('stock.r', counter)).toThrow(message);
  });
});

describe('normalizeRanges', () => {
  it('sorts, merges adjacent ranges and folds a range ending at the top', () => {
    expect(
      normalizeRanges('b', {
        top: 100,
        free: [
          [40, 60],
          [0, 10],
          [10, 20],
          [60, 70],
          [90, 100],
        ],
      }),
    ).toEqual({
      top: 90,
      free: [
        [0, 20],
        [40, 70],
      ],
    });
  });

  it.each([
    [[[5, 5]], 'empty or beyond top'],
    [[[5, 11]], 'empty or beyond top'],
    [
      [
        [0, 5],
        [4, 6],
      ],
      'overlap',
    ],
  ])('refuses %j', (free, message) => {
    expect(() => normalizeRanges('budget', { top: 10, free: free as Array<[number, number]> })).toThrow(
      message,
    );
  });
});

describe('normalizeCounters', () => {
  it('normalizes every part and names the part at fault', () => {
    expect(
      normalizeCounters({
        stock: { a: { top: 2, free: [2] } },
        budget: { top: 5, free: [[4, 5]] },
        daily: { '2026-11-11': { top: 5, free: [[0, 5]] } },
      }),
    ).toEqual({
      stock: { a: { top: 1, free: [] } },
      budget: { top: 4, free: [] },
      daily: { '2026-11-11': { top: 0, free: [] } },
    });
    expect(() =>
      normalizeCounters({
        stock: {},
        budget: { top: 0, free: [] },
        daily: { d1: { top: 1, free: [[0, 2]] } },
      }),
    ).toThrow('daily.d1');
  });
});
