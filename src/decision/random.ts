import { randomFillSync } from 'node:crypto';

/** A uniform random number in [0, 1). Decisions take one as input so that they stay pure and testable. */
export type Random = () => number;

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const POOL_WORDS = 2048;
const MAX_REJECTIONS = 64;

/** Two 32-bit words → a double with 53 random bits, exactly k / 2^53. */
function toDouble(high: number, low: number): number {
  return ((high >>> 5) * TWO_POW_26 + (low >>> 6)) / TWO_POW_53;
}

const pool = new Uint32Array(POOL_WORDS);
let poolNext = POOL_WORDS;

function cryptoWord(): number {
  if (poolNext === POOL_WORDS) {
    randomFillSync(pool);
    poolNext = 0;
  }
  return pool[poolNext++] ?? 0;
}

/**
 * The service's generator: node:crypto bytes, fetched 8 KiB at a time so that a draw costs no system call.
 * Each value carries 53 random bits.
 */
export const cryptoRandom: Random = () => toDouble(cryptoWord(), cryptoWord());

/** cyrb128: a small, well-mixed string hash giving the four 32-bit words sfc32 is seeded with. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state, 32-bit outputs. */
function sfc32(seed: [number, number, number, number]): () => number {
  let [a, b, c, d] = seed;
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/**
 * A reproducible generator for dry-runs (`--seed`): sfc32 seeded with the cyrb128 hash of `String(seed)`,
 * so the seed `42` and the seed `"42"` give the same sequence. Each value carries 53 random bits.
 * Not for the service: its output is predictable.
 */
export function seededRandom(seed: string | number): Random {
  const next = sfc32(cyrb128(String(seed)));
  for (let i = 0; i < 15; i++) next(); // let the seed mix in before the first output
  return () => toDouble(next(), next());
}

/**
 * A uniform integer in [min, max], both inclusive. Unbiased: a draw is mapped to a 53-bit integer and
 * rejected when it falls in the incomplete top bucket, so every value has exactly the same chance
 * (for generators with 53 random bits, as both of ours have).
 */
export function randomInt(random: Random, min: number, max: number): number {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
    throw new RangeError(`randomInt needs safe integers min <= max, got [${min}, ${max}]`);
  }
  const span = max - min + 1;
  if (span > TWO_POW_53) throw new RangeError(`randomInt range [${min}, ${max}] is wider than 2^53`);
  const limit = TWO_POW_53 - (TWO_POW_53 % span);
  for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
    const r = random();
    if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${r}`);
    const u = Math.floor(r * TWO_POW_53);
    if (u < limit) return min + (u % span);
  }
  throw new Error('randomInt: the random generator keeps returning values in the rejected range');
}
