import { randomUUID } from 'node:crypto';
import type {
  CampaignCounters,
  Range,
  ReserveLimits,
  ReserveRequest,
} from '../../../src/hot-state/hot-state';

export const DAY1 = '2026-11-11';
export const DAY2 = '2026-11-12';

const NO_LIMITS: ReserveLimits = {
  stock: null,
  budgetTotal: null,
  budgetDaily: null,
  perUserTotal: null,
  perUserDaily: null,
};

export const EMPTY_COUNTERS: CampaignCounters = { stock: {}, budget: { top: 0, free: [] }, daily: {} };

let campaignSeq = 0;

/** A fresh campaign id per test, so tests never share counters. */
export function newCampaign(): string {
  campaignSeq += 1;
  return `camp-${campaignSeq}-${randomUUID().slice(0, 8)}`;
}

export function request(
  campaignId: string,
  over: Partial<Omit<ReserveRequest, 'limits'>> & { limits?: Partial<ReserveLimits> } = {},
): ReserveRequest {
  const { limits, ...rest } = over;
  return {
    campaignId,
    reservationId: randomUUID(),
    userId: `user-${randomUUID().slice(0, 8)}`,
    rewardId: 'rp-small',
    charge: 0,
    spends: true,
    businessDate: DAY1,
    ttlMs: 60_000,
    now: Date.now(),
    ...rest,
    limits: { ...NO_LIMITS, ...limits },
  };
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
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

/**
 * The given ranges (in use) and the free ranges must tile [0, top) exactly: no overlap, no gap, nothing beyond
 * top. Returns a description of the first problem, or null.
 */
export function tilingProblem(used: readonly Range[], free: readonly Range[], top: number): string | null {
  const all = [...used.map((r) => [...r, 'used'] as const), ...free.map((r) => [...r, 'free'] as const)].sort(
    (x, y) => x[0] - y[0],
  );
  let at = 0;
  for (const [start, end, kind] of all) {
    if (start !== at) return `${kind} range [${start}, ${end}) starts at ${start}, expected ${at}`;
    if (end <= start) return `${kind} range [${start}, ${end}) is empty`;
    at = end;
  }
  return at === top ? null : `ranges end at ${at}, top is ${top}`;
}
