/** An issuer reached over HTTP (protocol in issuer.ts): the wallet, the coupon or the voucher service. */
import { parseIssuedPage } from './issued-page';
import type { IssuedPage, IssuedQuery, IssueRequest, IssueResult, Issuer } from './issuer';

export interface HttpIssuerOptions {
  baseUrl: string;
  /** Per call; a timeout is retried like a 5xx. */
  timeoutMs: number;
}

/** 408 and 429 are 4xx, but they say "try again later", not "never". */
const TRANSIENT_4XX = new Set([408, 429]);

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
  private readonly base: string;

  constructor(private readonly options: HttpIssuerOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.name = this.base;
  }

  async issue(request: IssueRequest): Promise<IssueResult> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/grants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': request.grantId },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      return { kind: 'retry', reason: describe(error) };
    }
    const text = await response.text().catch(() => '');
    const { status } = response;
    if ((status >= 200 && status < 300) || status === 409) return { kind: 'delivered', status };
    if (status >= 400 && status < 500 && !TRANSIENT_4XX.has(status)) {
      return { kind: 'rejected', status, message: text.slice(0, 500) || `HTTP ${status}` };
    }
    return { kind: 'retry', reason: `HTTP ${status}` };
  }

  async listIssued(query: IssuedQuery): Promise<IssuedPage> {
    const url = new URL(`${this.base}/grants`);
    url.searchParams.set('since', query.since.toISOString());
    url.searchParams.set('until', query.until.toISOString());
    url.searchParams.set('limit', String(query.limit));
    if (query.cursor !== null) url.searchParams.set('cursor', query.cursor);
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!response.ok) throw new Error(`issuer ${this.name}: issued records answered HTTP ${response.status}`);
    return parseIssuedPage(await response.json());
  }
}
