/**
 * `pocket grants void <id> --reason`: the one compensation for a grant that will not be paid (failed,
 * dead-lettered, or refused by a person). In one ledger transaction: GrantStore.void frees the grant's fence
 * positions, a pending delivery is cancelled and a dead-lettered one closed (both become done, out of the
 * backlog), open discrepancies about it are resolved, and the audit log gets the entry. Then the hot state
 * gives the counters back. Rather than a second, hand-written "un-reserve" for committed grants, the campaign's
 * counters are repaired the way reconciliation repairs drift (CounterRebuilder.repair: invalidate, rebuild from
 * live reservations + the ledger, which no longer holds the grant), and the user's counts are primed under the
 * user's lock. When this process cannot reach the hot state (the embedded in-memory one lives in the service
 * process), the service's real-time reconciliation does both within a run: it checks users whose grants were
 * voided recently, and the freed positions show as drift.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors/app-error';
import type { HotState } from '../hot-state/hot-state';
import type { AuditStore } from '../ledger/audit-store';
import type { Db } from '../ledger/db';
import type { GrantRecord, GrantStatus, GrantStore } from '../ledger/grant-store';
import type { OutboxStore } from '../ledger/outbox-store';
import type { CounterRebuilder } from './counter-rebuilder';
import type { DiscrepancyStore } from './discrepancy-store';
import { checkUserCounters } from './user-counter-check';

export interface VoidRequest {
  reason: string;
  actor: string;
  /**
   * Allow voiding a grant the issuer already has, or may be getting right now (its delivery is in flight): it
   * must be revoked downstream by hand.
   */
  force?: boolean;
}

export interface VoidResult {
  grant: GrantRecord;
  previousStatus: Exclude<GrantStatus, 'void'>;
  deliveryCancelled: boolean;
  /** The grant's delivery had been dead-lettered: its outbox entry is closed (done), out of the dead count. */
  deadLetterClosed: boolean;
  resolvedDiscrepancies: number;
  /** rebuilt: counters given back now; deferred: the service's real-time reconciliation will. */
  hotState: 'rebuilt' | 'failed' | 'deferred';
  user: 'primed' | 'unchanged' | 'busy' | 'deferred';
}

export interface GrantVoidDeps {
  db: Db;
  grants: GrantStore;
  outbox: OutboxStore;
  audit: AuditStore;
  discrepancies: DiscrepancyStore;
  /** null: this process does not share the service's hot state. */
  hot: { hotState: HotState; rebuilder: Pick<CounterRebuilder, 'repair'> } | null;
  clock: () => Date;
}

export class GrantVoidService {
  constructor(private readonly deps: GrantVoidDeps) {}

  async void(grantId: string, request: VoidRequest): Promise<VoidResult> {
    const reason = request.reason.trim();
    if (reason === '')
      throw new ValidationError('a reason is required', [{ path: 'reason', message: 'required' }]);
    const { db, grants, outbox, audit, discrepancies } = this.deps;
    const at = this.deps.clock();
    const result = await db.transaction(async (trx) => {
      const grant = await grants.get(trx, grantId);
      if (!grant) throw new NotFoundError('grant_not_found', `grant ${grantId} does not exist`);
      if (grant.status === 'void')
        throw new ConflictError('grant_already_void', `grant ${grantId} is already void`);
      if (grant.status === 'delivered' && !request.force) {
        throw new ConflictError(
          'grant_delivered',
          `grant ${grantId} was delivered: revoke it at the issuer first, then void it with --force`,
        );
      }
      if (!(await grants.void(trx, grantId, reason, at))) {
        throw new ConflictError('grant_already_void', `grant ${grantId} is already void`);
      }
      // A pending delivery is cancelled; a dead letter is closed too, since nobody will act on it any more.
      // A delivery a relay holds may be at the issuer right now: voided, its slot and budget would be handed
      // out again while the issuer pays it. Without --force that waits for the issuer's answer; the close is
      // conditional too, so a relay that claims the entry between the read and the close is not overruled.
      const entry = await outbox.findByGrant(trx, grantId);
      const inFlight = () =>
        new ConflictError(
          'delivery_in_flight',
          `grant ${grantId} is being delivered right now (claimed by ${entry?.lockedBy ?? 'a relay'}` +
            `${entry?.lockedUntil ? ` until ${entry.lockedUntil.toISOString()}` : ''}): void it once the issuer ` +
            'has answered, or with --force and take it back at the issuer if it arrives there',
        );
      const claimed = entry?.status === 'pending' && entry.lockedUntil !== null && entry.lockedUntil > at;
      if (claimed && !request.force) throw inFlight();
      const closed = entry
        ? await outbox.close(trx, entry.id, at, `voided: ${reason}`, request.force ? {} : { unclaimedAt: at })
        : false;
      if (entry?.status === 'pending' && !closed && !request.force) throw inFlight();
      const deliveryCancelled = closed && entry?.status === 'pending';
      const deadLetterClosed = closed && entry?.status === 'dead';
      let resolved = 0;
      for (const d of await discrepancies.list(trx, { grantId, status: 'open' })) {
        if (await discrepancies.resolve(trx, d.id, at, `grant voided: ${reason}`)) resolved += 1;
      }
      await audit.append(trx, {
        at,
        actor: request.actor,
        action: 'grant.void',
        campaignId: grant.campaignId,
        subject: grantId,
        details: {
          reason,
          previousStatus: grant.status,
          userId: grant.userId,
          rewardId: grant.rewardId,
          amount: grant.amount,
          charge: grant.charge,
          forced: Boolean(request.force),
          deliveryCancelled,
          deadLetterClosed,
        },
      });
      return { previousStatus: grant.status, deliveryCancelled, deadLetterClosed, resolved, grant };
    });
    const voided = (await grants.get(db, grantId)) ?? result.grant;
    const compensation = await this.giveBack(voided);
    return {
      grant: voided,
      previousStatus: result.previousStatus as Exclude<GrantStatus, 'void'>,
      deliveryCancelled: result.deliveryCancelled,
      deadLetterClosed: result.deadLetterClosed,
      resolvedDiscrepancies: result.resolved,
      ...compensation,
    };
  }

  private async giveBack(grant: GrantRecord): Promise<Pick<VoidResult, 'hotState' | 'user'>> {
    const { hot, grants, db } = this.deps;
    if (hot === null) return { hotState: 'deferred', user: 'deferred' };
    // The grant's reservation may still be live (the confirm after its commit was lost). Its outcome is known
    // now, committed, so it is settled as reconciliation would settle it: confirmed. Left live, the rebuild
    // below would count its positions again (ledger + live reservations) and keep what the void just freed,
    // until the reservation expired and the freed positions showed up as counter drift.
    if (grant.reservationId !== null) {
      await hot.hotState.confirm(grant.campaignId, grant.reservationId).catch(() => undefined);
    }
    const rebuilt = await hot.rebuilder.repair(grant.campaignId);
    const check = await checkUserCounters(
      hot.hotState,
      {
        userCounters: (c, u) => grants.userCounters(db, c, u),
        hasGrant: async (reservationId) => (await grants.findByReservation(db, reservationId)) !== null,
      },
      grant.campaignId,
      grant.userId,
      { lockTtlMs: 5000, lockWaitMs: 1000, purpose: `void:${grant.id}` },
    ).catch(() => ({ kind: 'busy' as const }));
    return {
      hotState: rebuilt ? 'rebuilt' : 'failed',
      user:
        check.kind === 'primed' || check.kind === 'loaded'
          ? 'primed'
          : check.kind === 'same'
            ? 'unchanged'
            : 'busy',
    };
  }
}
