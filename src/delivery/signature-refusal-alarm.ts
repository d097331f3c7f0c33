/**
 * What the relay does when an issuer answers 401 (it does not verify pocket's signature): the grant is retried
 * like a 5xx (DeliveryService), and on-call hears of it at once instead of after the retries run out. A warn per
 * issuer, at most once a minute (with how many were left out), and an alert `issuer.signature_refused` per issuer
 * and clock hour (UTC): once when it starts, then an hourly reminder while it lasts, whatever the number of grants
 * or relays (the notifications table's unique occurrence). The alert belongs to no campaign: it always goes out.
 */
import type { AlertSink } from '../integrations/alert-service';
import type { Logger } from '../observability/logger';
import { RepeatFilter } from '../observability/repeat-filter';

export interface RefusedDelivery {
  issuer: string;
  /** The variable holding the secret that issuer's requests are signed with (ISSUER_<TYPE>_SECRET, WEBHOOK_SECRET). */
  secret: string;
  grantId: string;
  campaignId: string;
  /** Attempts made so far, this one included. */
  attempts: number;
  /** The retry reason kept on the outbox entry (what to check). */
  reason: string;
}

/** The alert's occurrence: one per issuer and UTC hour (`signature_refused:http://wallet@2026-11-11T02`). */
export function signatureRefusedOccurrence(issuer: string, at: Date): string {
  return `signature_refused:${issuer}@${at.toISOString().slice(0, 13)}`;
}

export class SignatureRefusalAlarm {
  private readonly warnings: RepeatFilter;
  /** Occurrences this process has raised (or is raising): the ledger is asked once per issuer and hour. */
  private readonly raised = new Set<string>();

  constructor(private readonly deps: { alerts: AlertSink; logger: Logger; clock: () => Date }) {
    this.warnings = new RepeatFilter({ now: () => deps.clock().getTime() });
  }

  async sound(refused: RefusedDelivery): Promise<void> {
    const { alerts, logger, clock } = this.deps;
    const leftOut = this.warnings.pass(refused.issuer);
    if (leftOut !== null) {
      logger.warn(
        { ...refused, ...(leftOut > 0 ? { leftOut } : {}) },
        `issuer ${refused.issuer} refused pocket's signature (HTTP 401): grants are retried, not failed; ` +
          `check ${refused.secret} (and ${refused.secret}_PREVIOUS) here and at the issuer`,
      );
    }
    const occurrence = signatureRefusedOccurrence(refused.issuer, clock());
    if (this.raised.has(occurrence)) return;
    if (this.raised.size >= 100) this.raised.clear();
    this.raised.add(occurrence);
    try {
      await alerts.raise({
        event: 'issuer.signature_refused',
        campaignId: null,
        occurrence,
        details: { ...refused, status: 401 },
      });
    } catch (err) {
      // Asked again by the next refusal.
      this.raised.delete(occurrence);
      logger.error({ err }, 'alert failed');
    }
  }
}
