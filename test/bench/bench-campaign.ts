import type { CampaignDefinition, Condition, SegmentReward } from '../../src/definitions/campaign-types';
import { resolveCampaign, type ResolvedCampaign } from '../../src/definitions/resolve-campaign';

/**
 * A realistic 10-segment campaign for `npm run bench:rules`: nine segments with 2-4 conditions each over
 * profile, context and history (pocket operators, nested any/not), tried in order, then a catch-all.
 */
export const BENCH_RULES: Record<string, Condition> = {
  'new-female-18-25': {
    all: [
      { fact: 'profile', path: 'gender', operator: 'equal', value: 'female' },
      { fact: 'profile', path: 'age', operator: 'between', value: [18, 25] },
      { fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 },
    ],
  },
  'new-user-app': {
    all: [
      { fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 },
      { fact: 'context', path: 'channel', operator: 'equal', value: 'app' },
    ],
  },
  'vip-high-spender': {
    all: [
      { fact: 'profile', path: 'vipLevel', operator: 'greaterThanInclusive', value: 3 },
      { fact: 'profile', path: 'spend30d', operator: 'greaterThan', value: 100000 },
      { fact: 'history', path: 'grants', operator: 'equal', value: 0 },
    ],
  },
  'young-men-tier1': {
    all: [
      { fact: 'profile', path: 'gender', operator: 'equal', value: 'male' },
      { fact: 'profile', path: 'age', operator: 'between', value: [18, 30] },
      { fact: 'profile', path: 'city', operator: 'in', value: ['bj', 'sh', 'gz', 'sz'] },
    ],
  },
  'families-hangzhou': {
    all: [
      { fact: 'profile', path: 'age', operator: 'greaterThan', value: 30 },
      { fact: 'profile', path: 'city', operator: 'equal', value: 'hz' },
      { fact: 'profile', path: 'interests', operator: 'containsAny', value: ['kids', 'home'] },
    ],
  },
  seniors: {
    any: [
      { fact: 'profile', path: 'age', operator: 'greaterThanInclusive', value: 55 },
      { fact: 'profile', path: 'tags', operator: 'contains', value: 'senior-verified' },
    ],
  },
  'lapsed-upgraded': {
    all: [
      { fact: 'profile', path: 'registeredDays', operator: 'greaterThanInclusive', value: 180 },
      { fact: 'history', path: 'participations', operator: 'equal', value: 0 },
      { fact: 'context', path: 'appVersion', operator: 'startsWith', value: '8.' },
    ],
  },
  'mini-program-students': {
    all: [
      { fact: 'context', path: 'channel', operator: 'equal', value: 'mini-program' },
      { fact: 'profile', path: 'tags', operator: 'contains', value: 'student' },
      { fact: 'profile', path: 'age', operator: 'lessThan', value: 24 },
    ],
  },
  'returning-mobile': {
    all: [
      { fact: 'history', path: 'grants', operator: 'greaterThan', value: 0 },
      { fact: 'history', path: 'grantsToday', operator: 'lessThan', value: 1 },
      {
        any: [
          { fact: 'context', path: 'platform', operator: 'in', value: ['ios', 'android'] },
          { not: { fact: 'context', path: 'channel', operator: 'equal', value: 'h5' } },
        ],
      },
    ],
  },
};

export const CATCH_ALL_SEGMENT = 'everyone';

/** The bench campaign, resolved by the real resolver (canonical JSON, fingerprint). */
export function benchCampaign(): ResolvedCampaign {
  const rewards = (i: number): SegmentReward[] => [
    { reward: 'rp-small', weight: 60 + i },
    { reward: 'coupon-10-off-50', weight: 30 },
    { reward: 'thanks', weight: 10 },
  ];
  const definition: CampaignDefinition = {
    id: 'bench-ten-segments',
    name: 'Bench: ten segments',
    owner: 'bench',
    status: 'active',
    window: { start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00' },
    timezone: 'Asia/Shanghai',
    entry: { activityCode: 'none', channels: ['app', 'h5', 'mini-program'] },
    limits: { perUser: { total: 3, daily: 1 } },
    budget: { currency: 'CNY', total: 500_000_000, daily: 100_000_000 },
    rewards: [
      { id: 'rp-small', type: 'red_packet', amount: { min: 50, max: 200 }, stock: 1_000_000 },
      { id: 'coupon-10-off-50', type: 'coupon', value: 1000, minSpend: 5000, cost: 320, stock: 500_000 },
      { id: 'thanks', type: 'none' },
    ],
    segments: [
      ...Object.keys(BENCH_RULES).map((id, i) => ({ id, when: id, rewards: rewards(i) })),
      { id: CATCH_ALL_SEGMENT, rewards: rewards(9) },
    ],
    decision: { strategy: 'weighted', fallback: 'thanks' },
  };
  const rules = new Map(Object.entries(BENCH_RULES).map(([id, conditions]) => [id, { id, conditions }]));
  return resolveCampaign(definition, rules);
}
