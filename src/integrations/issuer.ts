/**
 * The downstream reward systems (wallet, coupon and voucher services) as pocket sees them.
 *
 * Issuer protocol (one HTTP issuer per reward type; the sandbox issuer speaks the same):
 * - `POST <issuerUrl>/grants` with `Idempotency-Key: <grant id>` and the JSON body
 *   `{ grantId, campaignId, userId, rewardId, type, amount, currency, businessDate, grantedAt, test }`, plus
 *   `minSpend` and `validDays` for a coupon or voucher whose reward sets them. Amounts are minor units.
 *   2xx, or 409 (a duplicate of a grant already issued) → delivered. 408 and 429 → retried like 5xx. 401 (the
 *   issuer did not verify pocket's signature) → retried like 5xx, with a warn and an alert naming the secret's
 *   variable (ISSUER_<TYPE>_SECRET, or WEBHOOK_SECRET for a type without one).
 *   Any other 4xx (403 included) → failed: a discrepancy and an alert, never retried. 5xx, a timeout or a network error →
 *   retried with exponential backoff and full jitter, never sooner than a `Retry-After` the issuer sent (up to
 *   the backoff cap), then dead-lettered after the maximum attempts. A 3xx is
 *   not followed (a followed 301/302/303 turns the POST into a GET) and is retried like a 5xx. Only the status
 *   counts: a 2xx delivers whatever its body, and only the start of a body is read.
 * - `GET <issuerUrl>/grants?since=ISO&until=ISO&cursor=C&limit=N` → `{ records: [{ grantId, rewardId, amount,
 *   issuedAt }], nextCursor: string | null }`: what the issuer issued in [since, until), paged, for offline
 *   reconciliation. `cursor` is opaque; absent on the first page.
 * - Every request is signed as webhooks are (notification-signature.ts): `X-Pocket-Timestamp` and
 *   `X-Pocket-Signature: v1=…` with the issuer's secret (one per secret during a rotation), the HMAC over the exact body of
 *   a POST, or over the path and query string of a GET as sent.
 */

export interface IssueRequest {
  grantId: string;
  campaignId: string;
  userId: string;
  rewardId: string;
  type: string;
  /** Minor units: a red packet's drawn amount, a coupon's or voucher's face value (`value`). */
  amount: number;
  /** The budget's ISO 4217 code; null for a campaign without a budget. */
  currency: string | null;
  /** YYYY-MM-DD in the campaign's timezone. */
  businessDate: string;
  /** When the grant was made (ISO 8601, UTC): what a coupon's `validDays` count from. */
  grantedAt: string;
  /** Coupon or voucher only, when its reward sets it: minimum order amount, minor units. */
  minSpend?: number;
  /** Coupon or voucher only, when its reward sets it: days the coupon stays valid after `grantedAt`. */
  validDays?: number;
  test: boolean;
}

export type IssueResult =
  | { kind: 'delivered'; status: number }
  /** The issuer refused the grant for good (4xx but 401, 408, 429): failed, discrepancy, alert. */
  | { kind: 'rejected'; status: number; message: string }
  /**
   * Worth another attempt: 5xx, 408, 429, 401, 3xx, timeout, network error. `retryAfterMs`: how long the issuer
   * asked to be left alone (its `Retry-After`); the relay waits at least that long, up to its backoff cap.
   * `signatureRefused`: a 401, the issuer did not verify pocket's signature (the relay warns and alerts).
   */
  | { kind: 'retry'; reason: string; retryAfterMs?: number; signatureRefused?: true };

export interface IssuedRecord {
  grantId: string;
  rewardId: string;
  amount: number;
  issuedAt: Date;
}

export interface IssuedQuery {
  since: Date;
  until: Date;
  cursor: string | null;
  limit: number;
}

export interface IssuedPage {
  records: IssuedRecord[];
  nextCursor: string | null;
}

export interface Issuer {
  /** Stable name for logs, summaries and discrepancy details (the sandbox, or the issuer URL). */
  readonly name: string;
  issue(request: IssueRequest): Promise<IssueResult>;
  /** The issued-records endpoint, when the issuer is reached over HTTP (named in listing failures). */
  readonly listingUrl?: string;
  /**
   * The variable holding the secret its requests are signed with, when they are (HTTP): ISSUER_<TYPE>_SECRET, or
   * WEBHOOK_SECRET. Named when it refuses pocket's signature.
   */
  readonly secretName?: string;
  /**
   * One page of issued records; throws when the issuer cannot answer (the reconciliation run fails). An HTTP
   * issuer throws an IssuerListingError naming itself, the URL and the reason.
   */
  listIssued(query: IssuedQuery): Promise<IssuedPage>;
}
