/**
 * ParticipationLedger on knex (PostgreSQL or SQLite): participation + grant + outbox row in one transaction,
 * chosen here by the service layer; the stores only run statements. The grant insert carries the fences.
 * On PostgreSQL that transaction is one statement (grant-write-statement.ts), and writes or idempotency
 * lookups waiting at the same time are batched into one statement (pg-grant-writer.ts, NaturalBatcher).
 */
import {
  endFailedTransaction,
  isPostgres,
  LEDGER_STATEMENT_DEADLINE_MS,
  LEDGER_WAIT_MS,
  type Db,
} from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import type { OutboxStore } from '../ledger/outbox-store';
import type { ParticipationRecord, ParticipationStore } from '../ledger/participation-store';
import { classifyFenceViolation } from '../ledger/classify-fence-violation';
import type { GrantWrite } from '../ledger/grant-write-statement';
import { NaturalBatcher, type NaturalBatcherOptions } from '../shared/natural-batcher';
import { GrantWriteFailure, PgGrantWriter } from './pg-grant-writer';
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
  return {
    requestHash: p.requestHash,
    status: p.statusCode,
    body: p.response,
    outcome: p.outcome,
    campaignVersion: p.campaignVersion,
  };
}

type Scope = readonly [campaignId: string, userId: string, idempotencyKey: string];

const scopeKey = (s: readonly string[]): string => JSON.stringify(s);

/**
 * Lookups and writes waiting at the same time share a statement (PostgreSQL): see NaturalBatcher. One batch
 * in flight, as for the writes (pg-grant-writer.ts): bigger batches, fewer statements.
 */
const LOOKUP_BATCHES: NaturalBatcherOptions = { concurrency: 1, maxBatch: 64, maxWaitMs: LEDGER_WAIT_MS };

export class KnexParticipationLedger implements ParticipationLedger {
  /** PostgreSQL only; SQLite runs one statement at a time on its one connection anyway. */
  private readonly lookups: NaturalBatcher<Scope, StoredAnswer | null> | null = null;
  private readonly writer: PgGrantWriter | null = null;
  /**
   * PostgreSQL: the request's other statements (history, the ledger's count of a user's grants, a stored refusal)
   * get the batched statements' deadline too, so a stalled ledger is a 503 for them as well, not a wait for as
   * long as the stall lasts (past the clients' timeouts). SQLite: a write waits for another process's write lock
   * at most LEDGER_WAIT_MS, on timers (sqlite-write-lock.ts).
   */
  private readonly deadlineMs: number | undefined;

  constructor(
    private readonly db: Db,
    private readonly stores: LedgerStores,
  ) {
    if (!isPostgres(db)) return;
    this.deadlineMs = LEDGER_STATEMENT_DEADLINE_MS;
    this.writer = new PgGrantWriter(db);
    this.lookups = new NaturalBatcher(async (scopes) => {
      const found = await this.stores.participations.findByScopes(this.db, scopes);
      const byScope = new Map(found.map((p) => [scopeKey([p.campaignId, p.userId, p.idemKey]), p]));
      return scopes.map((s) => {
        const p = byScope.get(scopeKey(s));
        return { ok: true, value: p ? toStored(p) : null };
      });
    }, LOOKUP_BATCHES);
  }

  async findStored(campaignId: string, userId: string, key: string): Promise<StoredAnswer | null> {
    if (this.lookups) return this.lookups.add([campaignId, userId, key]);
    const found = await this.stores.participations.findByScope(this.db, campaignId, userId, key);
    return found ? toStored(found) : null;
  }

  history(campaignId: string, userId: string, businessDate: string) {
    return this.stores.grants.history(this.db, campaignId, userId, businessDate, this.deadlineMs);
  }

  userCounters(campaignId: string, userId: string) {
    return this.stores.grants.userCounters(this.db, campaignId, userId, this.deadlineMs);
  }

  async recordAnswer(record: OutcomeRecord): Promise<StoredAnswer> {
    try {
      await this.stores.participations.insert(this.db, toRecord(record, null), this.deadlineMs);
      return {
        requestHash: record.requestHash,
        status: record.status,
        body: record.body,
        outcome: record.outcome,
        campaignVersion: record.campaignVersion,
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
    const write: GrantWrite = {
      participation: toRecord(participation, draft.id),
      grant: {
        ...draft,
        participationId: participation.id,
        campaignId: participation.campaignId,
        campaignVersion: participation.campaignVersion ?? 0,
        userId: participation.userId,
        businessDate: participation.businessDate ?? '',
        segmentId: participation.segmentId,
        createdAt: participation.createdAt,
      },
      outbox:
        draft.rewardType === 'none'
          ? null
          : {
              id: draft.id,
              grantId: draft.id,
              kind: 'grant.deliver',
              payload: { grantId: draft.id, campaignId: participation.campaignId, test: draft.test },
              createdAt: participation.createdAt,
            },
    };
    try {
      await (this.writer ? this.writer.write(write) : this.inTransaction(write));
      return { kind: 'committed' };
    } catch (failure) {
      const { error, definite } =
        failure instanceof GrantWriteFailure ? failure : { error: failure, definite: false };
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
      // An unknown outcome is never released blindly: reconciliation settles the reservation.
      return { kind: 'failed', definite, error };
    }
  }

  /** SQLite: the three inserts in one transaction. */
  private async inTransaction(write: GrantWrite): Promise<void> {
    // An error raised before the transaction body finished rolled everything back; one raised by COMMIT
    // itself is settled by reading the ledger (committedNot).
    let bodyDone = false;
    try {
      await this.db.transaction(async (trx) => {
        await this.stores.participations.insert(trx, write.participation);
        await this.stores.grants.insertWithFences(trx, write.grant);
        if (write.outbox) await this.stores.outbox.insert(trx, write.outbox);
        bodyDone = true;
      });
    } catch (error) {
      throw new GrantWriteFailure(error, !bodyDone || (await this.committedNot(write.participation)));
    }
  }

  /**
   * SQLite, after a COMMIT that raised (a full disk's SQLITE_FULL): the ledger is this process's own file, so
   * whether it kept the write is a read away, once no transaction is left open. No row of this participation is
   * a definite rollback, and its reservation is given back at once; left to expire instead, a few seconds of a
   * full disk held every reservation taken meanwhile for a minute or two, and the campaign answered its fallback
   * reward to everyone as if sold out. A read that fails leaves the outcome unknown.
   */
  private async committedNot(participation: ParticipationRecord): Promise<boolean> {
    try {
      await endFailedTransaction(this.db);
      const { campaignId, userId, idemKey, id } = participation;
      const found = await this.stores.participations.findByScope(this.db, campaignId, userId, idemKey);
      return found?.id !== id;
    } catch {
      return false;
    }
  }
}
