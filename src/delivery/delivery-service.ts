/**
 * Delivers one claimed outbox entry: sends the grant to its issuer with the grant id as Idempotency-Key and
 * records what the answer means (issuer.ts protocol). At-least-once: a relay that dies between the issuer's
 * answer and the ledger update leaves the entry claimed until its lease runs out; another relay then sends the
 * same grant with the same key, and the issuer's idempotency makes it exactly once in effect (Invariant 4).
 * Failed (4xx) and dead-lettered grants keep their counters: only `pocket grants void` compensates them. A grant
 * voided while its request was at the issuer is neither: a refusal or a last failure then changes nothing
 * (`skipped`), since the void already cancelled the delivery and resolved its discrepancies; an acceptance is
 * recorded at once as `voided_but_issued` (issued-while-voided.ts).
 * An issuer's 401 (it did not verify pocket's signature) is retried like a 5xx, with a warn and an alert at once
 * (signature-refusal-alarm.ts): the grant is fine, the secrets are not, and it goes through once they agree.
 * Nothing is sent outside the relay's claim: the claim is renewed right before the send (claim-lease.ts), and an
 * entry whose claim may have lapsed is left alone ('lost') for whoever claims it next. A refusal or a dead letter
 * is recorded only while no other relay has claimed the entry since ('lost' otherwise): a relay that stalled
 * after the answer must not fail a grant another relay is sending, or has delivered.
 */
import type { AlertSink } from '../integrations/alert-service';
import type { IssueResult, Issuer } from '../integrations/issuer';
import type { Db } from '../ledger/db';
import type { GrantRecord, GrantStore } from '../ledger/grant-store';
import type { OutboxClaim, OutboxEntry, OutboxStore } from '../ledger/outbox-store';
import type { Logger } from '../observability/logger';
import { RepeatFilter } from '../observability/repeat-filter';
import type { DiscrepancyStore } from '../reconciliation/discrepancy-store';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { sendLeaseMs as sendLeaseFor } from './claim-lease';
import { issueRequest } from './issue-request';
import { recordIssuedWhileVoided } from './issued-while-voided';
import type { IssuerDirectory } from './issuer-directory';
import type { RewardTerms } from './reward-terms';
import { SignatureRefusalAlarm } from './signature-refusal-alarm';

export type DeliveryOutcome = 'delivered' | 'rejected' | 'retry' | 'dead' | 'skipped' | 'lost';

export interface DeliveryServiceDeps {
  db: Db;
  grants: GrantStore;
  outbox: OutboxStore;
  issuers: IssuerDirectory;
  /** A coupon's or voucher's minSpend and validDays, from the grant's campaign version. */
  terms: Pick<RewardTerms, 'of'>;
  discrepancies: DiscrepancyStore;
  alerts: AlertSink;
  clock: () => Date;
  random: () => number;
  policy: BackoffPolicy;
  logger: Logger;
}

export class DeliveryService {
  /** An issuer's 401: a warn and an alert, while the grant is retried. */
  private readonly signatureRefusals: SignatureRefusalAlarm;
  /**
   * An issuer down, failing or silent: a warn per issuer and reason, then at most once a minute. The worker said
   * nothing until the first dead letter, some ten minutes into an outage.
   */
  private readonly retryFilter = new RepeatFilter();

  constructor(private readonly deps: DeliveryServiceDeps) {
    this.signatureRefusals = new SignatureRefusalAlarm(deps);
  }

  /** Keyed on the issuer and the reason without its numbers: a Retry-After or a timeout's figure varies. */
  private retryWarn(issuer: string, reason: string): void {
    const leftOut = this.retryFilter.pass(`${issuer}\n${reason.replace(/\d+(\.\d+)?/g, '#')}`);
    if (leftOut === null) return;
    this.deps.logger.warn(
      { issuer, err: reason, ...(leftOut > 0 ? { leftOut } : {}) },
      'delivery failed at the issuer; retried after a backoff',
    );
  }

  /** How long a claim is renewed for right before a send: longer than any issuer call (claim-lease.ts). */
  get sendLeaseMs(): number {
    return sendLeaseFor(this.deps.issuers.timeoutMs);
  }

  async deliver(entry: OutboxEntry, relayId: string): Promise<DeliveryOutcome> {
    const { db, grants, outbox } = this.deps;
    const grant = await grants.get(db, entry.grantId);
    if (grant === null || grant.status === 'void') {
      await outbox.complete(
        db,
        entry.id,
        this.deps.clock(),
        grant ? 'grant voided: not sent' : 'grant missing',
      );
      return 'skipped';
    }
    const issuer = this.deps.issuers.forGrant(grant);
    const request = issueRequest(grant, await this.deps.terms.of(grant));
    const claim = { id: entry.id, relayId, attempts: entry.attempts };
    if (!(await outbox.renewClaim(db, claim, this.deps.clock(), this.sendLeaseMs))) return 'lost';
    let result;
    try {
      result = await issuer.issue(request);
    } catch (error) {
      result = { kind: 'retry' as const, reason: error instanceof Error ? error.message : String(error) };
    }
    const now = this.deps.clock();
    switch (result.kind) {
      case 'delivered': {
        const recorded = await db.transaction(async (trx) => {
          // Which issuer has it, with the outcome: reconciliation never sends it to another one (README).
          const changed = await grants.setStatus(trx, grant.id, 'delivered', now, issuer.name);
          await outbox.complete(trx, entry.id, now);
          if (changed) return 'delivered';
          // Voided (--force) while the request was out, and the issuer took it: when and where, on the void row.
          return (await grants.markVoidIssued(trx, grant.id, now, issuer.name)) ? 'void_issued' : 'gone';
        });
        if (recorded === 'delivered') return 'delivered';
        if (recorded === 'void_issued') await recordIssuedWhileVoided(this.deps, grant, issuer.name, now);
        return 'skipped';
      }
      case 'rejected':
        return this.giveUp(claim, grant, 'failed', `HTTP ${result.status}: ${result.message}`, {
          issuer: issuer.name,
          status: result.status,
          message: result.message,
        });
      case 'retry':
        if (entry.attempts >= this.deps.policy.maxAttempts) {
          return this.giveUp(claim, grant, 'dead', result.reason, {
            issuer: issuer.name,
            attempts: entry.attempts,
            lastError: result.reason,
          });
        }
        return this.retryLater(entry, relayId, grant, issuer, result);
    }
  }

  /**
   * Reschedules the entry after the backoff ('lost' when its claim is no longer this relay's). An issuer that
   * refused pocket's signature (401) is also reported at once: a warn and an alert (signature-refusal-alarm.ts).
   */
  private async retryLater(
    entry: OutboxEntry,
    relayId: string,
    grant: GrantRecord,
    issuer: Pick<Issuer, 'name' | 'secretName'>,
    result: Extract<IssueResult, { kind: 'retry' }>,
  ): Promise<DeliveryOutcome> {
    const now = this.deps.clock();
    const rescheduled = await this.deps.outbox.retryLater(this.deps.db, entry.id, relayId, {
      at: now,
      nextAttemptAt: new Date(now.getTime() + this.retryDelay(entry.attempts, result.retryAfterMs)),
      error: result.reason,
    });
    if (!result.signatureRefused) this.retryWarn(issuer.name, result.reason);
    if (result.signatureRefused) {
      const { id: grantId, campaignId } = grant;
      await this.signatureRefusals.sound({
        issuer: issuer.name,
        secret: issuer.secretName ?? 'WEBHOOK_SECRET',
        grantId,
        campaignId,
        attempts: entry.attempts,
        reason: result.reason,
      });
    }
    return rescheduled ? 'retry' : 'lost';
  }

  /**
   * The pause before the next attempt: the backoff's, or the issuer's `Retry-After` when that is longer (a
   * 429 or 503 saying when to come back), never above the backoff's cap, so a wrong header cannot park a grant.
   */
  private retryDelay(attempts: number, retryAfterMs: number | undefined): number {
    const { policy, random } = this.deps;
    const backoff = backoffDelay(attempts, policy, random);
    return retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(retryAfterMs, policy.capMs));
  }

  /**
   * Fails or dead-letters the grant with a discrepancy and an alert ('rejected' or 'dead'). Changing nothing:
   * 'skipped' when the grant was voided while its request was at the issuer (the void cancelled the delivery
   * and resolved its discrepancies; a refusal of a grant nobody pays is no difference); 'lost' when the entry's
   * claim is no longer this relay's (this relay stalled past it after the answer, and another relay claimed
   * the entry since: its send, or its delivery already recorded, is the one that counts).
   */
  private async giveUp(
    claim: OutboxClaim,
    grant: GrantRecord,
    status: 'failed' | 'dead',
    error: string,
    details: Record<string, unknown> & { issuer: string },
  ): Promise<DeliveryOutcome> {
    const { db, grants, outbox } = this.deps;
    const now = this.deps.clock();
    const kind = status === 'failed' ? 'delivery_rejected' : 'delivery_dead';
    const closed = new Error('delivery no longer open');
    const lost = new Error("claim no longer this relay's");
    const recorded = await db
      .transaction(async (trx) => {
        // Grant first, then entry: the order `grants void` locks them in. Both or neither. The issuer that
        // answered is recorded with the status.
        if (!(await grants.setStatus(trx, grant.id, status, now, details.issuer))) throw closed;
        if (!(await outbox.deadLetter(trx, claim, now, error))) throw lost;
        return this.deps.discrepancies.record(trx, {
          runId: null,
          kind,
          campaignId: grant.campaignId,
          grantId: grant.id,
          details: { ...details, rewardId: grant.rewardId, amount: grant.amount, userId: grant.userId },
          status: 'open',
          createdAt: now,
        });
      })
      .catch((err: unknown) => {
        if (err === closed) return 'skipped' as const;
        if (err === lost) return 'lost' as const;
        throw err;
      });
    if (recorded === 'skipped' || recorded === 'lost') {
      const why =
        recorded === 'skipped' ? 'its delivery was voided meanwhile' : "its claim is no longer this relay's";
      this.deps.logger.warn(
        { grantId: grant.id, campaignId: grant.campaignId, relayId: claim.relayId, error },
        `grant not marked ${status}: ${why}`,
      );
      return recorded;
    }
    const outcome = status === 'failed' ? 'rejected' : 'dead';
    const { discrepancy, created } = recorded;
    this.deps.logger.error({ grantId: grant.id, campaignId: grant.campaignId, error }, `grant ${status}`);
    if (!created) return outcome;
    await this.deps.alerts
      .raise({
        event: status === 'failed' ? 'reconcile.discrepancy' : 'grant.dead_lettered',
        campaignId: grant.campaignId,
        occurrence: `discrepancy:${discrepancy.id}`,
        details: { kind, grantId: grant.id, discrepancyId: discrepancy.id, ...details },
      })
      .catch((err: unknown) => this.deps.logger.error({ err }, 'alert failed'));
    return outcome;
  }
}
