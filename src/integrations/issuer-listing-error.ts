/**
 * An issuer's issued-records listing could not be read in full: the issuer is down, answered an error status or
 * something that is not a page, or its cursor never ends. Offline reconciliation cannot tell "not issued" from
 * "not read", so the run fails and changes nothing (no redelivery, no resolution).
 */
export class IssuerListingError extends Error {
  constructor(
    /** The issuer's name (the sandbox, or its base URL). */
    readonly issuer: string,
    /** The listing endpoint, when the issuer is reached over HTTP. */
    readonly url: string | null,
    /** Why, in a few words (`connect ECONNREFUSED 127.0.0.1:18102`, `HTTP 500`, …). */
    readonly reason: string,
  ) {
    // An HTTP issuer is named by its base URL: then the listing URL alone says both.
    const where = url === null ? `"${issuer}"` : url.startsWith(issuer) ? url : `"${issuer}" (${url})`;
    super(`cannot read issuer ${where}: ${reason}`);
    this.name = 'IssuerListingError';
  }
}
