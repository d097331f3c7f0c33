/**
 * ParticipationLedger on knex (PostgreSQL or SQLite): participation + grant + outbox row in one transaction,
 * chosen here by the service layer; the stores only run statements. The grant insert carries the fences.
 */
import type { Db } from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import type { OutboxStore } from '../ledger/outbox-store';
import type { ParticipationRecord, ParticipationStore } from '../ledger/participation-store';
import { classifyFenceViolation } from '../ledger/classify-fence-violation';
import {
  CodeNonceTakenError,
  type GrantDraft,
  type GrantWriteResult,
  type OutcomeRecord,
  type ParticipationLedger,
  type StoredAnswer,
} from './participation-ledger';

export interface LedgerStores {
  participations: ParticipationStore;
  grants: GrantStore;
  outbox: OutboxStore;
}

function toRecord(o: OutcomeRecord, grantId: string | null): ParticipationRecord {
  return {
    id: o.id,
    campaignId: o.campaignId,
    userId: o.userId,
    idemKey: o.idempotencyKey,
    requestHash: o.requestHash,
    campaignVersion: o.campaignVersion,
    outcome: o.outcome,
    reason: o.reason,
    statusCode: o.status,
    response: o.body,
    grantId,
    businessDate: o.businessDate,
    segmentId: o.segmentId,
    clientId: o.clientId,
    codeNonce: o.codeNonce,
    decision: o.decision,
    createdAt: o.createdAt,
  };
}

function toStored(p: ParticipationRecord): StoredAnswer {
  return { requestHash: p.requestHash, status: p.statusCode, body: p.response, outcome: p.outcome };
}

export class KnexParticipationLedger implements ParticipationLedger {
  constructor(
    private readonly db: Db,
    private readonly stores: LedgerStores,
  ) {}

  async findStored(campaignId: string, userId: string, key: string): Promise<StoredAnswer | null> {
    const found = await this.stores.participations.findByScope(this.db, campaignId, userId, key);
    return found ? toStored(found) : null;
  }

  history(campaignId: string, userId: string, businessDate: string) {
    return this.stores.grants.history(this.db, campaignId, userId, businessDate);
  }

  userCounters(campaignId: string, userId: string) {
    return this.stores.grants.userCounters(this.db, campaignId, userId);
  }

  async recordAnswer(record: OutcomeRecord): Promise<StoredAnswer> {
    try {
      await this.stores.participations.insert(this.db, toRecord(record, null));
      return {
        requestHash: record.requestHash,
        status: record.status,
        body: record.body,
        outcome: record.outcome,
      };
    } catch (error) {
      const fence = classifyFenceViolation(error);
      if (fence === 'idempotency') {
        const stored = await this.findStored(record.campaignId, record.userId, record.idempotencyKey);
        if (stored) return stored;
      }
      if (fence === 'activity_code') throw new CodeNonceTakenError();
      throw error;
    }
  }

  async recordGrant(participation: OutcomeRecord, draft: GrantDraft): Promise<GrantWriteResult> {
    let bodyDone = false;
    try {
      await this.db.transaction(async (trx) => {
        await this.stores.participations.insert(trx, toRecord(participation, draft.id));
        await this.stores.grants.insertWithFences(trx, {
          ...draft,
          participationId: participation.id,
          campaignId: participation.campaignId,
          campaignVersion: participation.campaignVersion ?? 0,
          userId: participation.userId,
          businessDate: participation.businessDate ?? '',
          segmentId: participation.segmentId,
          createdAt: participation.createdAt,
        });
        if (draft.rewardType !== 'none') {
          await this.stores.outbox.insert(trx, {
            id: draft.id,
            grantId: draft.id,
            kind: 'grant.deliver',
            payload: { grantId: draft.id, campaignId: participation.campaignId, test: draft.test },
            createdAt: participation.createdAt,
          });
        }
        bodyDone = true;
      });
      return { kind: 'committed' };
    } catch (error) {
      const fence = classifyFenceViolation(error);
      if (fence === 'idempotency') {
        const stored = await this.findStored(
          participation.campaignId,
          participation.userId,
          participation.idempotencyKey,
        ).catch(() => null);
        return { kind: 'duplicate', stored };
      }
      if (fence === 'activity_code') return { kind: 'code_used' };
      if (fence !== null) return { kind: 'fence', resource: fence };
      // An error raised before the transaction body finished rolled everything back; one raised by COMMIT
      // itself leaves the outcome unknown, and reconciliation settles the reservation.
      return { kind: 'failed', definite: !bodyDone, error };
    }
  }
}
