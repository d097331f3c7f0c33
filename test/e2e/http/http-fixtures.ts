/**
 * Fixture campaigns for the HTTP end-to-end suites, written to a temporary definitions root. Each one exists
 * to produce one answer of DESIGN.md's table at the fixed clock `AT` (2026-06-15, mid-window for live ones).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForbiddenError, RateLimitedError, UnauthenticatedError } from '../../../src/errors/app-error';
import type { ProfileSource } from '../../../src/integrations/profile-source';
import type { ParticipationGuard } from '../../../src/protection/participation-guard';

export const AT = new Date('2026-06-15T12:00:00+08:00');

const LIVE = '{ start: 2026-06-01T00:00:00+08:00, end: 2026-07-01T00:00:00+08:00 }';

function campaign(id: string, body: string, window = LIVE, status = 'active'): string {
  return [
    `id: ${id}`,
    `name: ${id} campaign`,
    'owner: http-tests',
    `status: ${status}`,
    `window: ${window}`,
    'timezone: Asia/Shanghai',
    body.trim(),
    '',
  ].join('\n');
}

const EVERYONE_THANKS = `
entry: { activityCode: none }
rewards:
  - { id: thanks, type: none, name: Thanks }
segments:
  - id: everyone
    rewards: [{ reward: thanks, weight: 1 }]
decision: { strategy: weighted }
`;

/** Campaign id → YAML. */
export const CAMPAIGNS: Record<string, string> = {
  // Members (profile.member = true) get a 10-fen red packet, once; everyone else is not eligible. App only.
  'members-only': campaign(
    'members-only',
    `
entry: { activityCode: none, channels: [app] }
limits: { perUser: { total: 1 } }
budget: { currency: CNY, total: 1000000 }
rewards:
  - { id: coin, type: red_packet, name: Coin, amount: { min: 10, max: 10 }, stock: 1000 }
segments:
  - id: members
    when: member
    rewards: [{ reward: coin, weight: 1 }]
decision: { strategy: weighted }
`,
  ),
  // One coupon in stock and no fallback: the second participant gets out_of_stock.
  'last-coupon': campaign(
    'last-coupon',
    `
entry: { activityCode: none }
budget: { currency: CNY, total: 1000000 }
rewards:
  - { id: the-coupon, type: coupon, name: The coupon, value: 500, minSpend: 2000, cost: 100, validDays: 7, stock: 1 }
  - { id: thanks, type: none }
segments:
  - id: everyone
    rewards: [{ reward: the-coupon, weight: 1 }]
decision: { strategy: weighted }
`,
  ),
  // A budget of exactly one red packet and no fallback: the second participant gets budget_exhausted.
  'tiny-budget': campaign(
    'tiny-budget',
    `
entry: { activityCode: none }
budget: { currency: CNY, total: 100, daily: 100 }
rewards:
  - { id: hundred, type: red_packet, amount: { min: 100, max: 100 } }
segments:
  - id: everyone
    rewards: [{ reward: hundred, weight: 1 }]
decision: { strategy: weighted }
`,
  ),
  // Unlimited consolations: a grant every time (grants listings, shutdown).
  'open-thanks': campaign('open-thanks', EVERYONE_THANKS),
  // Paused at runtime by the tests (the ledger's campaign_state overlay).
  pausable: campaign('pausable', EVERYONE_THANKS),
  'future-sale': campaign(
    'future-sale',
    EVERYONE_THANKS,
    '{ start: 2026-08-01T00:00:00+08:00, end: 2026-09-01T00:00:00+08:00 }',
  ),
  'past-sale': campaign(
    'past-sale',
    EVERYONE_THANKS,
    '{ start: 2026-01-01T00:00:00+08:00, end: 2026-02-01T00:00:00+08:00 }',
  ),
  'work-in-progress': campaign('work-in-progress', EVERYONE_THANKS, LIVE, 'draft'),
};

const RULES = `
rules:
  - id: member
    description: Members only
    conditions:
      all:
        - { fact: profile, path: member, operator: equal, value: true }
`;

/** Writes the fixture campaigns (and the rules they use) to a fresh temporary definitions root. */
export function writeDefinitions(): string {
  const root = mkdtempSync(join(tmpdir(), 'pocket-http-'));
  mkdirSync(join(root, 'campaigns'));
  mkdirSync(join(root, 'rules'));
  for (const [id, yaml] of Object.entries(CAMPAIGNS))
    writeFileSync(join(root, 'campaigns', `${id}.yaml`), yaml);
  writeFileSync(join(root, 'rules', 'members.yaml'), RULES.trimStart());
  return root;
}

/** Profiles by user id: users whose id starts with `member-` are members; `profile-down-*` users make it fail. */
export const fixtureProfiles: ProfileSource = {
  profile(userId) {
    if (userId.startsWith('profile-down'))
      return Promise.reject(new Error('connect ECONNREFUSED 10.0.0.9:80'));
    return Promise.resolve(userId.startsWith('member-') ? { member: true } : {});
  },
};

/**
 * A protection stand-in that refuses by user id prefix, so the pipeline's 401, 403, 429 and unexpected-error
 * paths can be driven end to end: `throttled-*` → 429 (retry after 7 s), `stranger-*` → 401, `no-code-*` →
 * 403 code_missing, `fraudster-*` → 403 risk_denied (anti-fraud, after the lock and facts), `boom-*` → a plain
 * Error (an unexpected 500). Everyone else passes.
 */
export const fixtureGuard: ParticipationGuard = {
  rateLimit(_snapshot, request) {
    if (request.userId.startsWith('throttled')) return Promise.reject(new RateLimitedError(7));
    if (request.userId.startsWith('boom')) {
      return Promise.reject(new Error('guard exploded: password=hunter2 at /srv/pocket/secret.ts:12'));
    }
    return Promise.resolve();
  },
  authorize(_snapshot, request) {
    if (request.userId.startsWith('stranger')) return Promise.reject(new UnauthenticatedError());
    if (request.userId.startsWith('no-code')) {
      return Promise.reject(new ForbiddenError('code_missing', 'this campaign needs an activity code'));
    }
    return Promise.resolve({ codeNonce: null });
  },
  screen(_snapshot, request) {
    if (request.userId.startsWith('fraudster')) {
      return Promise.resolve({ action: 'deny', reason: 'risk_denied', decisions: { risk: 99 } });
    }
    return Promise.resolve({ action: 'allow', decisions: {} });
  },
};
