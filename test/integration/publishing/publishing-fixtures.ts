/**
 * A throw-away definitions repository with one campaign whose versions are told apart by their answer:
 * `reward: coin` grants a 10-fen red packet (less only with `minAmount`, when less budget is left), `reward: thanks` the consolation. Lives mid-window at `AT`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { loadResolvedCampaigns } from '../../../src/definitions/load-resolved-campaigns';
import type { ResolvedCampaign } from '../../../src/definitions/resolve-campaign';
import type { PublishOptions } from '../../../src/publishing/lifecycle';
import type { Pocket, PocketOverrides } from '../../../src/server';
import { createTestPocket, type TestBackends } from '../../helpers/pocket';

export const AT = new Date('2026-11-11T10:00:00+08:00');
export const CAMPAIGN = 'flash-sale';

export interface CampaignShape {
  id?: string;
  reward?: 'coin' | 'thanks';
  /** null: unlimited. */
  stock?: number | null;
  timezone?: string;
  /** null: no such budget. */
  budgetTotal?: number | null;
  budgetDaily?: number | null;
  /** limits.perUser; absent: none. */
  perUser?: { total: number; daily: number };
  /** budget.currency (default CNY); null: no budget at all. */
  currency?: string | null;
  /** The red packet's least amount (default 10; it is at most 10). */
  minAmount?: number;
  /** Default active. */
  status?: 'draft' | 'active' | 'ended';
  /** Default 2026-11-01 … 2026-12-01, Shanghai. */
  window?: { start: string; end: string };
  /** Testers' user ids; default none. */
  testers?: string[];
}

const setting = (key: string, value: number | null): string => (value === null ? '' : `, ${key}: ${value}`);

function campaignYaml(shape: CampaignShape = {}): string {
  const id = shape.id ?? CAMPAIGN;
  return [
    `id: ${id}`,
    `name: ${id}`,
    'owner: publishing-tests',
    `status: ${shape.status ?? 'active'}`,
    `window: { start: ${shape.window?.start ?? '2026-11-01T00:00:00+08:00'}, end: ${shape.window?.end ?? '2026-12-01T00:00:00+08:00'} }`,
    `timezone: ${shape.timezone ?? 'Asia/Shanghai'}`,
    'entry: { activityCode: none }',
    ...(shape.perUser
      ? [`limits: { perUser: { total: ${shape.perUser.total}, daily: ${shape.perUser.daily} } }`]
      : []),
    ...(shape.currency === null
      ? []
      : [
          `budget: { currency: ${shape.currency ?? 'CNY'}${setting('total', shape.budgetTotal === undefined ? 1000000 : shape.budgetTotal)}${setting('daily', shape.budgetDaily === undefined ? 100000 : shape.budgetDaily)} }`,
        ]),
    'rewards:',
    `  - { id: coin, type: red_packet, amount: { min: ${shape.minAmount ?? 10}, max: 10 }${setting('stock', shape.stock === undefined ? 100 : shape.stock)} }`,
    '  - { id: thanks, type: none }',
    'segments:',
    '  - id: everyone',
    `    rewards: [{ reward: ${shape.reward ?? 'coin'}, weight: 1 }]`,
    'decision: { strategy: weighted }',
    ...(shape.testers
      ? ['testers:', ...shape.testers.map((userId) => `  - { userId: ${userId}, profile: {} }`)]
      : []),
    '',
  ].join('\n');
}

export interface DefinitionsRepo {
  root: string;
  write(shape?: CampaignShape): void;
  resolved(...ids: string[]): Promise<ResolvedCampaign[]>;
  remove(): void;
}

export function createDefinitionsRepo(...shapes: CampaignShape[]): DefinitionsRepo {
  const root = mkdtempSync(join(tmpdir(), 'pocket-publishing-'));
  mkdirSync(join(root, 'campaigns'));
  mkdirSync(join(root, 'rules'));
  const repo: DefinitionsRepo = {
    root,
    write(shape = {}) {
      writeFileSync(join(root, 'campaigns', `${shape.id ?? CAMPAIGN}.yaml`), campaignYaml(shape));
    },
    async resolved(...ids) {
      const { resolved } = await loadResolvedCampaigns(root);
      return ids.length === 0 ? resolved : resolved.filter((r) => ids.includes(r.definition.id));
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  for (const shape of shapes.length > 0 ? shapes : [{}]) repo.write(shape);
  return repo;
}

export const publishOptions = (over: Partial<PublishOptions> = {}): PublishOptions => ({
  note: null,
  force: false,
  author: 'tester',
  gitCommit: null,
  ...over,
});

export interface Joined {
  status: number;
  outcome: string;
  version: number | null;
  rewardId: string | null;
}

/** One participation of a fresh (or given) user; the answer reduced to what tells versions apart. */
export async function participate(
  app: Express,
  userId: string = randomUUID(),
  campaignId = CAMPAIGN,
): Promise<Joined> {
  const res = await request(app)
    .post(`/v1/campaigns/${campaignId}/participations`)
    .set('Idempotency-Key', randomUUID())
    .send({ userId });
  const body = res.body as { outcome?: string; campaignVersion?: number; grant?: { rewardId?: string } };
  return {
    status: res.status,
    outcome: body.outcome ?? `http_${res.status}`,
    version: body.campaignVersion ?? null,
    rewardId: body.grant?.rewardId ?? null,
  };
}

/**
 * Polls `probe` every 50 ms until `done` holds or the deadline passes (bounded), and returns the last value:
 * the caller asserts on it, so a change that is not picked up within the deadline fails the test. The deadline
 * only ends a failing test: a poll at 1 s plus the probes' requests could outlast 2 s on a busy host. Where a
 * test must show which path carried a change (a Redis notice, not a poll), the instances do not poll; the issue's
 * 2 s is asserted on that path (`pickedUp`).
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  deadlineMs = 15_000,
): Promise<T> {
  const started = Date.now();
  let value = await probe();
  while (!done(value) && Date.now() - started < deadlineMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

/** Issue 4: running instances pick up a publish, rollback, pause or resume within 2 seconds. */
export const PICKUP_LIMIT_MS = 2000;

/** `eventually`, and how long after `since` (the change's commit) the probe first saw the change. */
export async function pickedUp<T>(
  since: number,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<{ value: T; ms: number }> {
  const value = await eventually(probe, done);
  return { value, ms: Date.now() - since };
}

/** A pocket at AT over `repo` that publishes nothing at start: each test publishes what it needs. */
export function publishingPocket(
  backends: TestBackends,
  repo: DefinitionsRepo,
  overrides: PocketOverrides = {},
): Promise<Pocket> {
  return createTestPocket(backends, {
    clock: () => AT,
    ...overrides,
    config: { definitionsRoot: repo.root, publishOnStart: false },
  });
}

/** Closes the pocket, then its backends, then removes the definitions repo. */
export async function closePublishingPocket(
  pocket: Pocket,
  backends: TestBackends,
  repo: DefinitionsRepo,
): Promise<void> {
  await pocket.close();
  await backends.destroy();
  repo.remove();
}
