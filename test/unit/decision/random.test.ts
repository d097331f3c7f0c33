import { cryptoRandom, randomInt, seededRandom, type Random } from '../../../src/decision/random';
import { scriptedRandom } from './decision-fixtures';

const TWO_POW_53 = 2 ** 53;
const take = (random: Random, n: number): number[] => Array.from({ length: n }, () => random());

describe('seededRandom (dry-run --seed)', () => {
  it('gives the same sequence for the same seed', () => {
    expect(take(seededRandom('double11'), 1000)).toEqual(take(seededRandom('double11'), 1000));
  });

  it('gives different sequences for different seeds', () => {
    const a = take(seededRandom('a'), 20);
    const b = take(seededRandom('b'), 20);
    expect(a).not.toEqual(b);
  });

  it('treats a numeric seed like its string form, as the CLI passes strings', () => {
    expect(take(seededRandom(42), 10)).toEqual(take(seededRandom('42'), 10));
  });

  it('keeps its sequence across releases, so a recorded dry-run can be re-run', () => {
    expect(take(seededRandom('pocket'), 3)).toEqual([
      0.766326721343658, 0.7577233692879141, 0.7911520188316177,
    ]);
  });
});

describe.each([
  ['cryptoRandom', () => cryptoRandom],
  ['seededRandom', () => seededRandom('uniform')],
])('%s is uniform on [0, 1)', (_name, make) => {
  it('stays in [0, 1) with mean ≈ 1/2 and flat deciles over 100k draws (crossing pool refills)', () => {
    const random = make();
    const deciles = new Array<number>(10).fill(0);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const r = random();
      if (!(r >= 0 && r < 1)) outside++;
      sum += r;
      deciles[Math.floor(r * 10)]!++;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const count of deciles) expect(Math.abs(count - 10_000)).toBeLessThan(500); // > 5 sigma
  });

  it('uses 53 random bits: values are exact multiples of 2^-53 that do not repeat', () => {
    const values = take(make(), 10_000);
    expect(values.filter((v) => !Number.isInteger(v * TWO_POW_53))).toEqual([]);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('randomInt', () => {
  it('reaches both inclusive ends and nothing outside them', () => {
    const random = seededRandom('ends');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(randomInt(random, 50, 53));
    expect([...seen].sort()).toEqual([50, 51, 52, 53]);
  });

  it('maps the lowest and highest accepted draws to min and max', () => {
    expect(randomInt(() => 0, 50, 200)).toBe(50);
    const highestAccepted = (TWO_POW_53 - (TWO_POW_53 % 151) - 1) / TWO_POW_53;
    expect(randomInt(() => highestAccepted, 50, 200)).toBe(200);
  });

  it('returns min when min = max', () => {
    expect(randomInt(seededRandom('x'), 7, 7)).toBe(7);
  });

  it('is unbiased: rejects a draw in the incomplete top bucket and draws again', () => {
    // 2^53 mod 3 = 2, so the two highest 53-bit values would favour 0 and 1: they are rejected.
    const random = scriptedRandom((TWO_POW_53 - 1) / TWO_POW_53, 0.5);
    expect(randomInt(random, 0, 2)).toBe(1);
    expect(random.calls).toBe(2);
  });

  it('gives each face of a die 1/6 within tolerance over 120k seeded draws', () => {
    const random = seededRandom('die');
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 120_000; i++) counts[randomInt(random, 1, 6)]!++;
    for (let face = 1; face <= 6; face++) expect(Math.abs(counts[face]! - 20_000)).toBeLessThan(700); // ~5 sigma
  });

  it.each([
    [5, 4],
    [1.5, 3],
    [0, Number.MAX_SAFE_INTEGER + 1],
    [Number.NaN, 3],
  ])('refuses the range [%p, %p]', (min, max) => {
    expect(() => randomInt(seededRandom('x'), min, max)).toThrow(RangeError);
  });

  it('refuses a range wider than 2^53', () => {
    expect(() => randomInt(seededRandom('x'), -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toThrow(
      /wider than 2\^53/,
    );
  });

  it.each([1, -0.1, Number.NaN])('refuses a generator that returns %p', (value) => {
    expect(() => randomInt(() => value, 0, 9)).toThrow(RangeError);
  });

  it('fails loudly instead of looping on a generator stuck in the rejected range', () => {
    expect(() => randomInt(() => (TWO_POW_53 - 1) / TWO_POW_53, 0, 2)).toThrow(/rejected range/);
  });
});
