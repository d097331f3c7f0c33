/**
 * A downstream issuer for tests, behind nock: idempotent by Idempotency-Key (201 the first time, 409 after),
 * switchable to an outage (503) or to refusing (422), and serving the issued-records endpoint from what it
 * accepted. `requests` keeps every POST it saw, in order.
 */
import nock from 'nock';
import type { IssueRequest } from '../../src/integrations/issuer';

/** up; down (503); reject (422); lossy: issues, then answers 500 as if the answer were lost. */
export type IssuerMode = 'up' | 'down' | 'reject' | 'lossy';

export interface IssuedEntry {
  body: IssueRequest;
  issuedAt: Date;
}

export class FakeIssuer {
  readonly issued = new Map<string, IssuedEntry>();
  readonly requests: Array<{ key: string | undefined; body: IssueRequest; answered: number }> = [];
  mode: IssuerMode = 'up';
  /**
   * Keys its idempotency store holds for grants it does not list (a broken issuer): answered 409, never issued.
   */
  readonly keysOnly = new Set<string>();
  /** Milliseconds each POST takes (to widen races between relays). */
  delayMs = 0;

  constructor(
    readonly baseUrl: string,
    private readonly clock: () => Date,
  ) {
    const answer = (key: string | undefined, body: IssueRequest) => this.answer(key, body);
    const delay = () => this.delayMs;
    nock(baseUrl)
      .persist()
      .post('/grants')
      .reply(function (_uri, body, callback) {
        const key = (this.req.headers['idempotency-key'] as string | undefined) ?? undefined;
        const reply = answer(key, body as IssueRequest);
        if (delay() > 0) setTimeout(() => callback(null, reply), delay());
        else callback(null, reply);
      })
      .get('/grants')
      .query(true)
      .reply((uri) => [200, this.page(new URL(uri, baseUrl).searchParams)]);
  }

  /** Grant ids the issuer holds. */
  ids(): string[] {
    return [...this.issued.keys()].sort();
  }

  /** How many POSTs carried this key. */
  attempts(key: string): number {
    return this.requests.filter((r) => r.key === key).length;
  }

  private answer(key: string | undefined, body: IssueRequest): [number, Record<string, unknown>] {
    let status: number;
    if (this.mode === 'down') status = 503;
    else if (this.mode === 'reject') status = 422;
    else if (key === undefined) status = 400;
    else if (this.keysOnly.has(key)) status = 409;
    else if (this.issued.has(key)) status = this.mode === 'lossy' ? 500 : 409;
    else {
      this.issued.set(key, { body, issuedAt: this.clock() });
      status = this.mode === 'lossy' ? 500 : 201;
    }
    this.requests.push({ key, body, answered: status });
    return [status, { status }];
  }

  private page(params: URLSearchParams): Record<string, unknown> {
    const since = new Date(params.get('since') ?? 0).getTime();
    const until = new Date(params.get('until') ?? 0).getTime();
    const limit = Number(params.get('limit') ?? 100);
    const offset = Number(params.get('cursor') ?? 0);
    const all = [...this.issued.values()]
      .filter((e) => e.issuedAt.getTime() >= since && e.issuedAt.getTime() < until)
      .sort(
        (a, b) => a.issuedAt.getTime() - b.issuedAt.getTime() || (a.body.grantId < b.body.grantId ? -1 : 1),
      );
    const slice = all.slice(offset, offset + limit);
    return {
      records: slice.map((e) => ({
        grantId: e.body.grantId,
        rewardId: e.body.rewardId,
        amount: e.body.amount,
        issuedAt: e.issuedAt.toISOString(),
      })),
      nextCursor: offset + limit < all.length ? String(offset + limit) : null,
    };
  }
}
