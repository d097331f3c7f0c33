/**
 * Fixture campaigns for the protection suites, written to a temporary definitions root, and helpers that
 * send participations and read what the ledger and the hot state hold (to prove nothing changed).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { ProfileSource } from '../../../src/integrations/profile-source';
import type { Pocket } from '../../../src/server';

/** Every fixture campaign is live on 11 November 2026. */
export const NOW = new Date('2026-11-11T10:00:00+08:00');

export interface FixtureOptions {
  entry?: 'none' | 'signed';
  protection?: string;
  fallback?: boolean;
}

export function campaignYaml(id: string, options: FixtureOptions = {}): string {
  return [
    `id: ${id}`,
    `name: ${id}`,
    'owner: protection-tests',
    'status: active',
    'window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }',
    'timezone: Asia/Shanghai',
    `entry: { activityCode: ${options.entry ?? 'none'}, channels: [app] }`,
    'limits: { perUser: { total: 100, daily: 100 } }',
    'budget: { currency: CNY, total: 100000000 }',
    'rewards:',
    '  - { id: coupon, type: coupon, value: 1000, cost: 100, stock: 100000 }',
    '  - { id: thanks, type: none }',
    'segments:',
    '  - id: everyone',
    '    rewards: [{ reward: coupon, weight: 1 }]',
    `decision: { strategy: weighted${options.fallback === false ? '' : ', fallback: thanks'} }`,
    ...(options.protection ? [`protection: ${options.protection}`] : []),
    '',
  ].join('\n');
}

/** Writes `campaigns/<id>.yaml` for each entry; the caller removes the directory. */
export function writeCampaigns(campaigns: Record<string, FixtureOptions>): string {
  const root = mkdtempSync(join(tmpdir(), 'pocket-protection-'));
  mkdirSync(join(root, 'campaigns'));
  for (const [id, options] of Object.entries(campaigns)) {
    writeFileSync(join(root, 'campaigns', `${id}.yaml`), campaignYaml(id, options));
  }
  return root;
}

/** Profiles by user id; anyone else has `registeredDays: 365`. */
export function profiles(known: Record<string, Record<string, unknown>> = {}): ProfileSource {
  return { profile: (userId) => Promise.resolve(known[userId] ?? { registeredDays: 365 }) };
}

export interface JoinOptions {
  key?: string;
  auth?: string;
  context?: Record<string, unknown>;
  activityCode?: string;
  ip?: string;
}

export function join_(pocket: Pocket, campaign: string, userId: string, options: JoinOptions = {}) {
  const req = request(pocket.app)
    .post(`/v1/campaigns/${campaign}/participations`)
    .set('Idempotency-Key', options.key ?? randomUUID());
  if (options.auth) req.set('Authorization', options.auth);
  if (options.ip) req.set('X-Forwarded-For', options.ip);
  return req.send({
    userId,
    context: options.context ?? { channel: 'app' },
    ...(options.activityCode === undefined ? {} : { activityCode: options.activityCode }),
  });
}

/** Everything a refused request must leave alone: ledger rows, versions, and the hot counters. */
export async function stateOf(pocket: Pocket, campaigns: readonly string[], users: readonly string[]) {
  const { db, hotState } = pocket;
  const count = async (table: string): Promise<number> =>
    Number((await db(table).count({ n: '*' }))[0]?.n ?? 0);
  return {
    participations: await count('participations'),
    grants: await count('grants'),
    outbox: await count('outbox'),
    versions: await count('campaign_versions'),
    counters: await Promise.all(campaigns.map((c) => hotState.readCounters(c))),
    users: await Promise.all(campaigns.flatMap((c) => users.map((u) => hotState.readUser(c, u)))),
  };
}

export async function participationRows(pocket: Pocket, where: Record<string, unknown>) {
  const rows: Array<Record<string, unknown>> = await pocket
    .db('participations')
    .where(where)
    .orderBy('created_at');
  return rows.map((r) => ({
    outcome: r['outcome'],
    status: Number(r['status_code']),
    clientId: r['client_id'],
    codeNonce: r['code_nonce'],
    decision:
      typeof r['decision'] === 'string' ? (JSON.parse(r['decision']) as Record<string, unknown>) : null,
  }));
}
