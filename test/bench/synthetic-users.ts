import type { FactsInput } from '../../src/rules/facts';

/** mulberry32: a tiny seeded generator, so every run benchmarks the same users. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = ['bj', 'sh', 'gz', 'sz', 'hz', 'cd', 'wh', 'xa', 'nj', 'cq'];
const INTERESTS = ['kids', 'home', 'sports', 'beauty', 'games', 'books', 'travel', 'food'];
const TAGS = ['student', 'senior-verified', 'vip', 'seller', 'new-device'];
const CHANNELS = ['app', 'h5', 'mini-program'];
const PLATFORMS = ['ios', 'android', 'web'];

/**
 * Varied synthetic users: profile, context and history, with some attributes missing (as real profile
 * services return them), so rules meet present and missing facts alike.
 */
export function syntheticUsers(count: number, seed = 42): FactsInput[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const some = <T>(items: readonly T[], p: number): T[] => items.filter(() => random() < p);
  const maybe = <T>(p: number, value: () => T): T | undefined => (random() < p ? value() : undefined);
  const users: FactsInput[] = [];
  for (let i = 0; i < count; i++) {
    const grants = random() < 0.6 ? 0 : Math.floor(random() * 4);
    const profile: Record<string, unknown> = {
      gender: maybe(0.9, () => pick(['female', 'male'])),
      age: maybe(0.92, () => 16 + Math.floor(random() * 55)),
      city: maybe(0.95, () => pick(CITIES)),
      registeredDays: Math.floor(random() < 0.2 ? random() * 7 : random() * 1500),
      vipLevel: Math.floor(random() * 5),
      spend30d: Math.floor(random() * 200000),
      interests: maybe(0.8, () => some(INTERESTS, 0.25)),
      tags: some(TAGS, 0.1),
    };
    for (const key of Object.keys(profile)) if (profile[key] === undefined) delete profile[key];
    users.push({
      profile,
      context: {
        channel: pick(CHANNELS),
        platform: pick(PLATFORMS),
        appVersion: `${7 + Math.floor(random() * 2)}.${Math.floor(random() * 10)}.${Math.floor(random() * 10)}`,
        ip: `10.0.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
      },
      history: {
        participations: grants + (random() < 0.3 ? 1 : 0),
        grants,
        grantsToday: grants > 0 && random() < 0.3 ? 1 : 0,
      },
    });
  }
  return users;
}
