/**
 * `pocket grants redeliver <id>`: a person sends a dead-lettered or refused grant again, once the issuer is
 * fixed. In one ledger transaction: the grant is pending again, its dead outbox entry is pending, due now, with
 * attempts reset (same entry, so the same Idempotency-Key, the grant id: an issuer that has it after all answers
 * 409 and it counts as delivered), the open delivery_dead / delivery_rejected discrepancy is resolved and the
 * audit log records who and why. Counters are untouched: a failed or dead grant kept them.
 *
 * The grant is written before the outbox entry, the order `grants void` locks them in, so the two never
 * deadlock; setStatus refuses a grant voided meanwhile and redeliverDead an entry no longer dead (a second
 * redelivery), and either refusal rolls everything back. The discrepancy is resolved by pocket (resolved_by
 * null, the person is in the resolution and the audit log), so a delivery that dies again opens a new one and
 * alerts again instead of counting as acknowledged.
 */
import { ConflictError } from '../errors/app-error';
import type { AuditStore } from '../ledger/audit-store';
import type { Db } from '../ledger/db';
import type { GrantRecord, GrantStatus, GrantStore } from '../ledger/grant-store';
import type { OutboxStore } from '../ledger/outbox-store';
import type { DiscrepancyStore } from '../reconciliation/discrepancy-store';
import { decideRedelivery } from './redelivery-decision';

export interface RedeliveryRequest {
  actor: string;
  /** Why (optional); kept in the audit log and the discrepancy's resolution. */
  reason?: string | null;
}

export interface RedeliveryResult {
  /** The grant as it is now: pending. */
  grant: GrantRecord;
  previousStatus: GrantStatus;
  /** Attempts the given-up delivery had made, and its last error. */
  previousAttempts: number;
  lastError: string | null;
  resolvedDiscrepancies: number;
}

export interface GrantRedeliveryDeps {
  db: Db;
  grants: GrantStore;
  outbox: OutboxStore;
  audit: AuditStore;
  discrepancies: DiscrepancyStore;
  clock: () => Date;
}

export class GrantRedeliveryService {
  constructor(private readonly deps: GrantRedeliveryDeps) {}

  async redeliver(grantId: string, request: RedeliveryRequest): Promise<RedeliveryResult> {
    const { db, grants, outbox, audit, discrepancies } = this.deps;
    const reason = request.reason?.trim() || null;
    const at = this.deps.clock();
    const done = await db.transaction(async (trx) => {
      const found = await grants.get(trx, grantId);
      const decision = decideRedelivery(
        grantId,
        found,
        found ? await outbox.findByGrant(trx, grantId) : null,
        at,
      );
      if (!decision.ok) throw decision.error;
      const { grant, entry } = decision;
      if (!(await grants.setStatus(trx, grantId, 'pending', at)))
        throw new ConflictError('grant_void', `grant ${grantId} is void: there is nothing to redeliver`);
      if (!(await outbox.redeliverDead(trx, grantId, at)))
        throw new ConflictError('delivery_pending', `grant ${grantId} was redelivered meanwhile`);
      const resolution = `redelivery requested by ${request.actor}${reason ? `: ${reason}` : ''}`;
      let resolved = 0;
      for (const d of await discrepancies.list(trx, {
        grantId,
        status: 'open',
        kinds: ['delivery_dead', 'delivery_rejected'],
      })) {
        if (await discrepancies.resolve(trx, d.id, at, resolution)) resolved += 1;
      }
      await audit.append(trx, {
        at,
        actor: request.actor,
        action: 'grant.redeliver',
        campaignId: grant.campaignId,
        subject: grantId,
        details: {
          reason,
          previousStatus: grant.status,
          attempts: entry.attempts,
          lastError: entry.lastError,
          userId: grant.userId,
          rewardId: grant.rewardId,
          amount: grant.amount,
        },
      });
      return { grant, entry, resolved };
    });
    return {
      grant: (await grants.get(db, grantId)) ?? done.grant,
      previousStatus: done.grant.status,
      previousAttempts: done.entry.attempts,
      lastError: done.entry.lastError,
      resolvedDiscrepancies: done.resolved,
    };
  }
}
