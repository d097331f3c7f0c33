/**
 * A campaign whose every figure in the report is known in advance, the traffic that produces them, and a pocket
 * serving it on the chosen backends (for the report, metrics, logging and dashboard suites).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { ProfileSource } from '../../../src/integrations/profile-source';
import type { Pocket, PocketOverrides } from '../../../src/server';
import { createTestPocket, type TestBackends } from '../../helpers/pocket';

export const CAMPAIGN = 'report-sale';
/** Mid-window; the test clock starts here and moves forward. */
export const START = new Date('2026-11-11T10:00:00+08:00');

/** The campaign's YAML, as `writeReportDefinitions` writes it by default. */
export const reportYaml = `# yaml-language-server: $schema=../schemas/campaign.schema.json
id: ${CAMPAIGN}
name: Report sale
owner: observability-tests
status: active
window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none }
limits: { perUser: { total: 1 } }
budget: { currency: CNY, total: 10000, daily: 5000 }
rewards:
  - { id: rp-vip, type: red_packet, name: VIP packet, amount: { min: 100, max: 100 }, stock: 3 }
  - { id: cp, type: coupon, name: Coupon, value: 150, cost: 50, stock: 100 }
segments:
  - id: vips
    when: vip
    rewards: [{ reward: rp-vip, weight: 1 }]
  - id: members
    when: member
    rewards: [{ reward: cp, weight: 1 }]
decision: { strategy: weighted }
testers:
  - { userId: qa-1, profile: { vip: true } }
observability: { trace: testers, log: coarse }
notify: { on: [budget.burn_rate, stock.exhausted] }
`;

const RULES = `rules:
  - id: vip
    conditions: { all: [{ fact: profile, path: vip, operator: equal, value: true }] }
  - id: member
    conditions: { all: [{ fact: profile, path: member, operator: equal, value: true }] }
`;

export function writeReportDefinitions(campaignYaml = reportYaml): string {
  const root = mkdtempSync(join(tmpdir(), 'pocket-observability-'));
  mkdirSync(join(root, 'campaigns'));
  mkdirSync(join(root, 'rules'));
  writeFileSync(join(root, 'campaigns', `${CAMPAIGN}.yaml`), campaignYaml);
  writeFileSync(join(root, 'rules', 'tiers.yaml'), RULES);
  return root;
}

/** `vip-*` users are VIPs, `member-*` members, anyone else has an empty profile. */
export const reportProfiles: ProfileSource = {
  profile(userId) {
    if (userId.startsWith('vip-')) return Promise.resolve({ vip: true });
    if (userId.startsWith('member-')) return Promise.resolve({ member: true });
    return Promise.resolve({});
  },
};

export class MovingClock {
  constructor(private at: Date = START) {}
  readonly now = (): Date => this.at;
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export async function reportPocket(
  backends: TestBackends,
  root: string,
  clock: MovingClock,
  overrides: PocketOverrides = {},
): Promise<Pocket> {
  return createTestPocket(backends, {
    config: { definitionsRoot: root },
    clock: clock.now,
    profiles: reportProfiles,
    ...overrides,
  });
}

export interface Traffic {
  /** The exact report figures this traffic produces. */
  expected: {
    participations: number;
    eligible: number;
    granted: number;
    outcomes: Record<string, number>;
    spend: number;
  };
}

let keys = 0;

export async function participate(
  pocket: Pocket,
  userId: string,
  opts: { key?: string; query?: string } = {},
): Promise<request.Response> {
  return request(pocket.app)
    .post(`/v1/campaigns/${CAMPAIGN}/participations${opts.query ?? ''}`)
    .set('Idempotency-Key', opts.key ?? `k-${process.pid}-${++keys}`)
    .send({ userId });
}

/**
 * Two batches ten minutes apart: 5 VIPs (3 packets of 100, then out_of_stock twice), 4 members (coupons, 50
 * each), 2 strangers (not_eligible), one member again (limit_reached) and, first, the tester (a test grant).
 */
export async function driveTraffic(pocket: Pocket, clock: MovingClock): Promise<Traffic> {
  const first = ['vip-1', 'vip-2', 'member-1', 'member-2', 'stranger-1', 'qa-1'];
  const second = ['vip-3', 'vip-4', 'vip-5', 'member-3', 'member-4', 'stranger-2', 'member-1'];
  for (const userId of first) expectFinal(await participate(pocket, userId));
  clock.advance(10 * 60_000);
  for (const userId of second) expectFinal(await participate(pocket, userId));
  return {
    expected: {
      participations: 12,
      eligible: 10,
      granted: 7,
      outcomes: { granted: 7, out_of_stock: 2, not_eligible: 2, limit_reached: 1 },
      spend: 3 * 100 + 4 * 50,
    },
  };
}

function expectFinal(res: request.Response): void {
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`participation answered ${res.status}: ${res.text}`);
  }
}
