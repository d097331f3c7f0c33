/** An issuer reached over HTTP (protocol in issuer.ts): the wallet, the coupon or the voucher service. */
import { parseIssuedPage } from './issued-page';
import { IssuerListingError } from './issuer-listing-error';
import type { IssuedPage, IssuedQuery, IssueRequest, IssueResult, Issuer } from './issuer';
import { requestTarget, signatureHeaders, type SigningSecrets } from './notification-signature';
import { readBounded } from './read-bounded';
import { retryAfterMs } from './retry-after';

export interface HttpIssuerOptions {
  baseUrl: string;
  /** Per call; a timeout is retried like a 5xx. */
  timeoutMs: number;
  /**
   * This issuer's secrets (config.ts, issuerSigning): ISSUER_<TYPE>_SECRET, or WEBHOOK_SECRET for a type without
   * one, then its `_PREVIOUS` while it is set: every request is signed with each (notification-signature.ts), its
   * body, or for a listing its path and query. A function: read at each request.
   */
  secrets: SigningSecrets;
  /**
   * The variable holding them (`ISSUER_COUPON_SECRET`), named when the issuer refuses them; default
   * `WEBHOOK_SECRET`, what a type without a secret of its own signs with.
   */
  secretName?: string;
  /** The signatures' timestamp; default the system clock. */
  clock?: () => Date;
}

/** 408 and 429 are 4xx, but they say "try again later", not "never". */
const TRANSIENT_4XX = new Set([408, 429]);

/**
 * A 401 is a verdict on pocket's credentials, not on the grant: the issuer did not verify the signature (a secret
 * rotation half done, an issuer configured with another secret). Retried, so the grants go through once the
 * secrets agree; a 403 (pocket verified, and refused) stays a refusal.
 */
const SIGNATURE_REFUSED = 401;

/**
 * What an on-call engineer checks when an issuer refuses pocket's signature (delivery and listings): the variable
 * holding that issuer's secret, never its value.
 */
export function signatureRefusedHint(secretName: string): string {
  return `the issuer refused pocket's signature; check ${secretName} (and ${secretName}_PREVIOUS) on both sides`;
}

/** Of an answer's body, only the start is read: a refusal's message keeps 500 characters of it. */
const MAX_ANSWER_BYTES = 4096;

/**
 * The most of one issued-records page that is read (a page of the 500 records asked for is about 100 KB). A
 * larger one fails the listing, rather than being buffered whole until the timeout: an issuer that ignores
 * `limit`, or a URL that streams something else, could run the worker out of memory, relay and all.
 */
export const MAX_PAGE_BYTES = 32 * 1024 * 1024;

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

export class HttpIssuer implements Issuer {
  readonly name: string;
  readonly listingUrl: string;
  readonly secretName: string;
  private readonly base: string;

  constructor(private readonly options: HttpIssuerOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.name = this.base;
    this.listingUrl = `${this.base}/grants`;
    this.secretName = options.secretName ?? 'WEBHOOK_SECRET';
  }

  /** The signature headers of a request with this payload, timed now. */
  private sign(payload: string): Record<string, string> {
    return signatureHeaders(this.options.secrets, payload, (this.options.clock ?? (() => new Date()))());
  }

  async issue(request: IssueRequest): Promise<IssueResult> {
    let response: Response;
    try {
      const body = JSON.stringify(request);
      response = await fetch(`${this.base}/grants`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': request.grantId,
          ...this.sign(body),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        // A redirect is never followed: fetch would turn the POST of a 301/302/303 into a GET of the Location
        // (the issued-records listing answers that 200) and count a grant nobody issued as delivered, or
        // send the grant to another host. The issuer did not take the grant: it is retried (below).
        redirect: 'manual',
      });
    } catch (error) {
      return { kind: 'retry', reason: describe(error) };
    }
    // Only the start of the body is read (a refusal's message), so that a huge or endless answer costs neither
    // memory nor time; one that breaks off (a reset, the timeout) leaves the status to speak.
    const { text } = await readBounded(response, MAX_ANSWER_BYTES).catch(() => ({ text: '' }));
    const { status } = response;
    if ((status >= 200 && status < 300) || status === 409) return { kind: 'delivered', status };
    if (status === SIGNATURE_REFUSED) {
      const answer = text.slice(0, 200);
      return {
        kind: 'retry',
        reason: `HTTP 401: ${signatureRefusedHint(this.secretName)}${answer ? ` (it answered ${answer})` : ''}`,
        signatureRefused: true,
      };
    }
    if (status >= 400 && status < 500 && !TRANSIENT_4XX.has(status)) {
      return { kind: 'rejected', status, message: text.slice(0, 500) || `HTTP ${status}` };
    }
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location');
      return {
        kind: 'retry',
        reason: `HTTP ${status}: redirect${location ? ` to ${location.slice(0, 200)}` : ''} not followed`,
      };
    }
    const pause = retryAfterMs(response.headers.get('retry-after'), new Date());
    return pause === null
      ? { kind: 'retry', reason: `HTTP ${status}` }
      : {
          kind: 'retry',
          reason: `HTTP ${status} (Retry-After ${Math.ceil(pause / 1000)} s)`,
          retryAfterMs: pause,
        };
  }

  /** Throws an IssuerListingError naming this issuer, the URL and why, whatever went wrong. */
  async listIssued(query: IssuedQuery): Promise<IssuedPage> {
    const url = new URL(this.listingUrl);
    url.searchParams.set('since', query.since.toISOString());
    url.searchParams.set('until', query.until.toISOString());
    url.searchParams.set('limit', String(query.limit));
    if (query.cursor !== null) url.searchParams.set('cursor', query.cursor);
    const failure = (reason: string) => new IssuerListingError(this.name, this.listingUrl, reason);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', ...this.sign(requestTarget(url)) },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const body = await readBounded(response, MAX_PAGE_BYTES);
      if (body.truncated) {
        throw failure(
          `answered a page larger than ${MAX_PAGE_BYTES / 1024 / 1024} MiB (${query.limit} records asked for): ` +
            'does it honour limit?',
        );
      }
      text = body.text;
    } catch (error) {
      if (error instanceof IssuerListingError) throw error;
      throw failure(listingFailure(error, this.options.timeoutMs));
    }
    if (!response.ok) {
      const { status } = response;
      throw failure(
        `answered HTTP ${status}${status === SIGNATURE_REFUSED ? `: ${signatureRefusedHint(this.secretName)}` : ''}`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw failure(`answered something that is not JSON: ${JSON.stringify(text.slice(0, 60))}`);
    }
    try {
      return parseIssuedPage(body);
    } catch (error) {
      throw failure(`answered an invalid ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Why a listing request failed, for a person: `connect ECONNREFUSED 127.0.0.1:18102`, a timeout, … */
function listingFailure(error: unknown, timeoutMs: number): string {
  // Duck-typed: under jest, fetch's errors are not Errors of the test's realm.
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: { message?: unknown; code?: unknown } | null;
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  for (const reason of [e.cause?.message, e.cause?.code, e.message]) {
    if (typeof reason === 'string' && reason !== '') return reason;
  }
  return String(error);
}
