import type { RewardDefinition } from '../../../src/definitions/campaign-types';
import { affordable, drawAmount, expectedCharge, maxCharge } from '../../../src/decision/charge';
import { seededRandom } from '../../../src/decision/random';
import { coupon, redPacket, scriptedRandom } from './decision-fixtures';

const rp = redPacket('rp', 50, 200);
const voucher: RewardDefinition = { id: 'v', type: 'voucher', value: 3000, cost: 900 };
const thanks: RewardDefinition = { id: 'thanks', type: 'none' };
/** The highest draw randomInt accepts for [50, 200]: it gives the red packet's max, 200. */
const TOP = (Math.floor(2 ** 53 / 151) * 151 - 1) / 2 ** 53;

describe('expectedCharge and maxCharge (DESIGN.md Semantics: amounts and budget charge)', () => {
  it.each<[string, RewardDefinition, number, number]>([
    ['a red packet: (min + max) / 2 and max', rp, 125, 200],
    ['an odd red packet range: a fractional expectation', redPacket('odd', 1, 2), 1.5, 2],
    ['a coupon: its cost, not its face value', coupon('c', 320, 1000), 320, 320],
    ['a voucher: its cost', voucher, 900, 900],
    ['a consolation: nothing', thanks, 0, 0],
  ])('%s', (_name, reward, expected, max) => {
    expect(expectedCharge(reward)).toBe(expected);
    expect(maxCharge(reward)).toBe(max);
  });
});

describe('drawAmount (DESIGN.md Semantics: amounts, charge and the clamp when the budget runs low)', () => {
  it('draws a red packet uniformly in [min, max] and charges what it drew', () => {
    const random = seededRandom('amounts');
    const seen = new Set<number>();
    let mischarged = 0;
    for (let i = 0; i < 20_000; i++) {
      const draw = drawAmount(rp, random, Infinity);
      if (draw?.charge !== draw?.amount) mischarged++;
      seen.add(draw?.amount ?? -1);
    }
    expect(mischarged).toBe(0);
    expect(Math.min(...seen)).toBe(50);
    expect(Math.max(...seen)).toBe(200);
    expect(seen.size).toBe(151);
  });

  it('draws max with TOP and min with 0 when the budget is plentiful', () => {
    expect(drawAmount(rp, () => TOP, Infinity)).toEqual({ amount: 200, charge: 200 });
    expect(drawAmount(rp, () => 0, 200)).toEqual({ amount: 50, charge: 50 });
  });

  it('clamps a draw above the remaining budget to what remains', () => {
    expect(drawAmount(rp, () => TOP, 120)).toEqual({ amount: 120, charge: 120 });
  });

  it('keeps a draw below the remaining budget unchanged', () => {
    expect(drawAmount(rp, () => 0, 120)).toEqual({ amount: 50, charge: 50 });
  });

  it('clamps to exactly min when exactly min remains', () => {
    expect(drawAmount(rp, () => TOP, 50)).toEqual({ amount: 50, charge: 50 });
  });

  it('is unavailable when min - 1 remains, without consuming randomness', () => {
    const random = scriptedRandom(0.5);
    expect(drawAmount(rp, random, 49)).toBeNull();
    expect(random.calls).toBe(0);
  });

  it('clamps to whole minor units when the remaining budget is fractional', () => {
    expect(drawAmount(rp, () => TOP, 99.9)).toEqual({ amount: 99, charge: 99 });
  });

  it('gives a coupon its face value and charges its cost', () => {
    expect(drawAmount(coupon('c', 320, 1000), seededRandom('c'), Infinity)).toEqual({
      amount: 1000,
      charge: 320,
    });
    expect(drawAmount(voucher, seededRandom('v'), 900)).toEqual({ amount: 3000, charge: 900 });
  });

  it('makes a coupon unavailable when its cost is above the remaining budget (no clamp)', () => {
    expect(drawAmount(voucher, seededRandom('v'), 899)).toBeNull();
  });

  it('always gives a consolation, charging nothing, even with the budget gone', () => {
    expect(drawAmount(thanks, seededRandom('t'), 0)).toEqual({ amount: 0, charge: 0 });
    expect(drawAmount(thanks, seededRandom('t'), -10)).toEqual({ amount: 0, charge: 0 });
  });

  it('agrees with affordable() on every boundary', () => {
    for (const [reward, left] of [
      [rp, 49],
      [rp, 50],
      [voucher, 899],
      [voucher, 900],
      [thanks, -1],
    ] as const) {
      expect(drawAmount(reward, seededRandom('a'), left) !== null).toBe(affordable(reward, left));
    }
  });
});
