/**
 * How long a relay holds an outbox entry (pure). The rule the relay keeps: an entry is sent only inside its
 * claim, so that no other relay can claim and send it at the same time.
 *
 * - Safety: right before each send the relay renews the claim in one conditional UPDATE
 *   (OutboxStore.renewClaim): only when the claim is still its own and has not run out, and then to
 *   `now + sendLeaseMs`. A send lasts at most the issuer timeout (ISSUER_TIMEOUT_MS aborts the request), and
 *   `sendLeaseMs` adds SEND_SLACK_MS for the round trip between the renewal and the request leaving and for
 *   clock skew between relays (each compares claims with its own clock). So the claim outlives the send; an
 *   entry whose claim could not be renewed is not sent by this relay (the outcome `lost`). This holds whatever
 *   the batch size, the concurrency or the time the entry waited in the batch. (The sandbox issuer is a
 *   write to the ledger itself, bounded by the database rather than a timeout, and idempotent by grant id.)
 * - Liveness: a batch of `batchSize` entries runs `concurrency` at a time, so the last entry may wait
 *   ceil(batchSize / concurrency) − 1 sends before its own. The claim is made that long (at least the
 *   configured lease), so entries do not lapse while waiting their turn and burn an attempt unsent.
 */

/** The renewal-to-request round trip and the clock skew between relays that a send claim allows for. */
export const SEND_SLACK_MS = 5_000;

/** How long a claim is renewed for right before one send: the issuer timeout plus the slack. */
export function sendLeaseMs(issuerTimeoutMs: number): number {
  return Math.max(0, issuerTimeoutMs) + SEND_SLACK_MS;
}

/** How long a batch's claim lasts: every round of sends of the batch, and at least `leaseMs`. */
export function claimLeaseMs(
  settings: { batchSize: number; concurrency: number; leaseMs: number },
  sendLease: number,
): number {
  const rounds = Math.ceil(Math.max(1, settings.batchSize) / Math.max(1, settings.concurrency));
  return Math.max(settings.leaseMs, rounds * sendLease);
}
