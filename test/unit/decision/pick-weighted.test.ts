import { pickWeighted } from '../../../src/decision/pick-weighted';

describe('pickWeighted', () => {
  it('gives each index a share of [0, 1) proportional to its weight, in order', () => {
    const weights = [1, 2, 1]; // [0, .25) [.25, .75) [.75, 1)
    expect([0, 0.2499, 0.25, 0.7499, 0.75, 0.9999].map((u) => pickWeighted(weights, u))).toEqual([
      0, 0, 1, 1, 2, 2,
    ]);
  });

  it('accepts fractional weights', () => {
    expect(pickWeighted([0.1, 0.3], 0.3)).toBe(1);
  });

  it('answers the last index when rounding pushes the point past the total', () => {
    expect(pickWeighted([0.1, 0.2], 1 - 2 ** -53)).toBe(1);
  });

  it('answers -1 for no weights', () => {
    expect(pickWeighted([], 0.5)).toBe(-1);
  });
});
