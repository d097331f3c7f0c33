import { randomUUID } from 'node:crypto';
import { classifyFenceViolation } from '../../../src/ledger/classify-fence-violation';
import type { Db, Executor } from '../../../src/ledger/db';
import type { GrantFences } from '../../../src/ledger/grant-fences';
import type { GrantRecord, NewGrant } from '../../../src/ledger/grant-store';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { KnexParticipationStore } from '../../../src/ledger/knex-participation-store';
import type { ParticipationRecord } from '../../../src/ledger/participation-store';
import { KnexParticipationLedger } from '../../../src/participation/knex-participation-ledger';
import type { GrantDraft, OutcomeRecord } from '../../../src/participation/participation-ledger';

export const grants = new KnexGrantStore();
export const participations = new KnexParticipationStore();
export const at = new Date('2026-11-11T02:00:00.000Z');

const noFences: GrantFences = {
  stockSlot: null,
  stockLimit: null,
  budgetRange: null,
  budgetLimit: null,
  dailyRange: null,
  dailyLimit: null,
  userLimit: null,
  dailyUserLimit: null,
};

export function participation(over: Partial<ParticipationRecord> = {}): ParticipationRecord {
  return {
    id: randomUUID(),
    campaignId: 'c1',
    userId: 'u1',
    idemKey: randomUUID(),
    requestHash: 'h',
    campaignVersion: 1,
    outcome: 'granted',
    reason: null,
    statusCode: 201,
    response: '{"outcome":"granted"}',
    grantId: null,
    businessDate: '2026-11-11',
    segmentId: 'everyone',
    clientId: null,
    codeNonce: null,
    decision: null,
    createdAt: at,
    ...over,
  };
}

export type GrantOverrides = Partial<Omit<NewGrant, 'fences'>> & { fences?: Partial<GrantFences> };

export function newGrant(participationId: string, over: GrantOverrides = {}): NewGrant {
  const { fences, ...rest } = over;
  const charge = rest.charge ?? 100;
  return {
    id: randomUUID(),
    participationId,
    reservationId: randomUUID(),
    campaignId: 'c1',
    campaignVersion: 1,
    userId: 'u1',
    rewardId: 'rp',
    rewardType: 'red_packet',
    segmentId: 'everyone',
    amount: charge,
    charge,
    currency: 'CNY',
    businessDate: '2026-11-11',
    test: false,
    createdAt: at,
    ...rest,
    fences: { ...noFences, ...fences },
  };
}

/** Participation + grant in one transaction, as the service writes them. */
async function grantOn(q: Executor, over: GrantOverrides = {}): Promise<GrantRecord> {
  const p = participation({
    campaignId: over.campaignId ?? 'c1',
    userId: over.userId ?? 'u1',
    ...(over.businessDate ? { businessDate: over.businessDate } : {}),
  });
  const g = newGrant(p.id, over);
  await participations.insert(q, { ...p, grantId: g.id });
  return grants.insertWithFences(q, g);
}

export function insertGrant(db: Db, over: GrantOverrides = {}): Promise<GrantRecord> {
  return db.transaction((trx) => grantOn(trx, over));
}

/**
 * 'ok', the refused resource, 'deadlock' (a PostgreSQL deadlock victim: the fences are built so that racing
 * writers never deadlock, and a tally that holds one fails its test), or the unexpected error's message.
 */
export async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    if ((err as { code?: string }).code === '40P01') return 'deadlock';
    return classifyFenceViolation(err) ?? `unclassified: ${(err as Error).message}`;
  }
}

/**
 * The message of the error a promise rejects with. (Under jest, better-sqlite3 errors are not always
 * `instanceof Error`: the native addon keeps the SqliteError class of the first test file's realm, so
 * `rejects.toThrow()` cannot be used for them.)
 */
export async function rejection(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    return String((err as { message?: unknown }).message ?? err);
  }
  throw new Error('expected a rejection, but it resolved');
}

/** Unique violations read differently per engine. */
export const uniqueViolation = /UNIQUE constraint failed|duplicate key value/;

/** A granted participation (participation + grant draft) of user u<i>, with stock, budget and user fences. */
export interface GrantWriteFixture {
  record: OutcomeRecord;
  draft: GrantDraft;
}

export function grantWrite(
  i: number,
  over: { key?: string; userId?: string; slot?: number; grantId?: string } = {},
): GrantWriteFixture {
  const userId = over.userId ?? `u${i}`;
  const grantId = over.grantId ?? randomUUID();
  return {
    record: {
      id: randomUUID(),
      campaignId: 'c1',
      userId,
      idempotencyKey: over.key ?? `k${i}`,
      requestHash: 'h',
      campaignVersion: 1,
      outcome: 'granted',
      reason: null,
      status: 201,
      body: JSON.stringify({ outcome: 'granted', grant: { id: grantId } }),
      businessDate: '2026-11-11',
      segmentId: 'everyone',
      clientId: null,
      codeNonce: null,
      decision: { fraud: {} },
      createdAt: at,
    },
    draft: {
      id: grantId,
      reservationId: randomUUID(),
      rewardId: 'rp',
      rewardType: 'red_packet',
      amount: 100,
      charge: 100,
      currency: 'CNY',
      test: false,
      fences: {
        ...noFences,
        stockSlot: over.slot ?? i + 1,
        stockLimit: 1000,
        budgetRange: [i * 100, i * 100 + 100],
        budgetLimit: 1_000_000,
        userLimit: 1,
      },
    },
  };
}

/** The participation ledger on `db`, with the knex stores. */
export function participationLedgerOn(db: Db): KnexParticipationLedger {
  return new KnexParticipationLedger(db, { participations, grants, outbox: new KnexOutboxStore() });
}
