/** Helpers for delivery and reconciliation tests: a fake clock and grants made through the real pipeline. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import type { Db } from '../../src/ledger/db';
import type { Pocket } from '../../src/server';

export interface FakeClock {
  (): Date;
  advance(ms: number): void;
  set(at: Date): void;
}

export function fakeClock(start: Date): FakeClock {
  let now = start.getTime();
  const clock = (() => new Date(now)) as FakeClock;
  clock.advance = (ms) => {
    now += ms;
  };
  clock.set = (at) => {
    now = at.getTime();
  };
  return clock;
}

/** Inside the fixture campaigns' window (2026-11-11, Asia/Shanghai). */
export const AT = new Date('2026-11-11T10:00:00+08:00');

/** Participates once per user (in parallel); returns the grants that will be delivered (consolations excluded). */
export async function grantsFor(
  pocket: Pocket,
  users: readonly string[],
  campaignId = BULK,
): Promise<string[]> {
  const answers = await Promise.all(
    users.map((userId) =>
      request(pocket.app)
        .post(`/v1/campaigns/${campaignId}/participations`)
        .set('Idempotency-Key', randomUUID())
        .send({ userId, context: { channel: 'app' } }),
    ),
  );
  const ids: string[] = [];
  for (const res of answers) {
    if (res.status !== 201) throw new Error(`participation answered ${res.status}: ${res.text}`);
    const grant = (res.body as { grant: { id: string; type: string } }).grant;
    if (grant.type !== 'none') ids.push(grant.id);
  }
  return ids.sort();
}

/** Users u-<prefix>-0 … u-<prefix>-(n-1). */
export function users(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `u-${prefix}-${i}`);
}

export async function grantStatuses(db: Db, ids: readonly string[]): Promise<Record<string, string>> {
  const rows = (await db('grants')
    .whereIn('id', [...ids])
    .select('id', 'status')) as Array<{ id: string; status: string }>;
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

/**
 * The definitions these tests run on: bulk-drop (plenty of stock, no protection; a draw below 0.7 gives a red
 * packet of 50..200, above it the consolation; tester qa-bulk) and tiny-drop (5 red packets of 100 on a budget
 * of 1000, alerts on budget.50pct, budget.80pct and stock.exhausted).
 */
export const DEFINITIONS = join(__dirname, '../integration/reconciliation/definitions');
export const BULK = 'bulk-drop';
export const TINY = 'tiny-drop';
