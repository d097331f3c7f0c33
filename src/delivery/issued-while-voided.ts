/**
 * The issuer accepted a grant that `grants void --force` voided while its request was out: the user may have been
 * paid for a grant whose stock and budget went back. It is recorded at once as a `voided_but_issued` discrepancy,
 * with its alert and a warn, where before nothing said so until offline reconciliation's next run (03:30 by
 * default) found the issuer's record. The void row carries the delivery's time and issuer (markVoidIssued), so
 * that run also reads it as issued before the void and finds it recorded while it is open (one per kind and
 * grant), rather than an `issued_after_void` that closed this one. A failure here is logged, never thrown: the
 * delivery is done, and nothing would retry it.
 */
import type { AlertSink } from '../integrations/alert-service';
import type { Db } from '../ledger/db';
import type { GrantRecord, GrantStore } from '../ledger/grant-store';
import type { Logger } from '../observability/logger';
import type { DiscrepancyStore } from '../reconciliation/discrepancy-store';

export async function recordIssuedWhileVoided(
  deps: {
    db: Db;
    grants: Pick<GrantStore, 'get'>;
    discrepancies: DiscrepancyStore;
    alerts: AlertSink;
    logger: Logger;
  },
  grant: GrantRecord,
  issuer: string,
  now: Date,
): Promise<void> {
  await record(deps, grant, issuer, now).catch((err: unknown) =>
    deps.logger.error({ err, grantId: grant.id }, 'could not record voided_but_issued'),
  );
}

async function record(
  deps: Parameters<typeof recordIssuedWhileVoided>[0],
  grant: GrantRecord,
  issuer: string,
  now: Date,
): Promise<void> {
  // As the void left it: the record read before the send was still pending.
  const voided = (await deps.grants.get(deps.db, grant.id)) ?? grant;
  const details = {
    issuer,
    foundBy: 'delivery',
    rewardId: grant.rewardId,
    amount: grant.amount,
    userId: grant.userId,
    voidReason: voided.voidReason,
    voidedAt: voided.voidedAt?.toISOString() ?? null,
  };
  const { discrepancy, created } = await deps.discrepancies.record(deps.db, {
    runId: null,
    kind: 'voided_but_issued',
    campaignId: grant.campaignId,
    grantId: grant.id,
    details,
    status: 'open',
    createdAt: now,
  });
  deps.logger.warn(
    { grantId: grant.id, campaignId: grant.campaignId, issuer, discrepancyId: discrepancy.id },
    'the issuer accepted a grant voided while its request was out: recorded as voided_but_issued',
  );
  if (!created) return;
  await deps.alerts
    .raise({
      event: 'reconcile.discrepancy',
      campaignId: grant.campaignId,
      occurrence: `discrepancy:${discrepancy.id}`,
      details: { kind: 'voided_but_issued', grantId: grant.id, discrepancyId: discrepancy.id, ...details },
    })
    .catch((err: unknown) => deps.logger.error({ err }, 'alert failed'));
}
