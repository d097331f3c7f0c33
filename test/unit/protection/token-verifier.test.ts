import { DependencyUnavailableError } from '../../../src/errors/app-error';
import type { ApiTokenRecord } from '../../../src/ledger/api-token-store';
import { issueToken } from '../../../src/protection/api-token';
import { CachedTokenVerifier } from '../../../src/protection/token-verifier';

function record(issued: ReturnType<typeof issueToken>, scopes: string[]): ApiTokenRecord {
  return {
    id: issued.id,
    name: null,
    scopes,
    secretHash: issued.secretHash,
    createdAt: new Date(0),
    revokedAt: null,
  };
}

describe('CachedTokenVerifier', () => {
  let now = 0;
  const rows = new Map<string, ApiTokenRecord>();
  const find = jest.fn((id: string) => Promise.resolve(rows.get(id) ?? null));
  const verifier = (): CachedTokenVerifier =>
    new CachedTokenVerifier({ find, ttlMs: 2000, maxEntries: 3, now: () => now });

  beforeEach(() => {
    now = 0;
    rows.clear();
    find.mockClear();
  });

  it('verifies a token and reads its row once per TTL, however many requests use it', async () => {
    const issued = issueToken();
    rows.set(issued.id, record(issued, ['read', 'publish']));
    const v = verifier();
    const results = await Promise.all(Array.from({ length: 20 }, () => v.verify(issued.token)));
    for (const r of results) expect(r).toEqual({ id: issued.id, scopes: ['read', 'publish'] });
    expect(find).toHaveBeenCalledTimes(1);
    now = 1999;
    await v.verify(issued.token);
    expect(find).toHaveBeenCalledTimes(1);
  });

  it('a revocation takes effect once the TTL has passed', async () => {
    const issued = issueToken();
    rows.set(issued.id, record(issued, ['read']));
    const v = verifier();
    expect(await v.verify(issued.token)).not.toBeNull();
    rows.set(issued.id, { ...record(issued, ['read']), revokedAt: new Date(1) });
    now = 2000;
    expect(await v.verify(issued.token)).toBeNull();
  });

  it('refuses a wrong secret for a known id, malformed tokens without a read, and unknown ids', async () => {
    const issued = issueToken();
    rows.set(issued.id, record(issued, ['read']));
    const forged = `pk_${issued.id}_${issueToken().token.slice(-43)}`;
    const v = verifier();
    expect(await v.verify(forged)).toBeNull();
    expect(await v.verify('not-a-token')).toBeNull();
    expect(find).toHaveBeenCalledTimes(1);
    expect(await v.verify(issueToken().token)).toBeNull();
    expect(find).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxEntries ids (garbage ids cannot grow the cache without bound)', async () => {
    const v = verifier();
    const first = issueToken().token;
    await v.verify(first);
    for (let i = 0; i < 3; i++) await v.verify(issueToken().token);
    find.mockClear();
    await v.verify(first);
    expect(find).toHaveBeenCalledTimes(1);
  });

  it('made-up ids are cached apart: a flood of them neither repeats a read nor evicts a real token', async () => {
    const issued = issueToken();
    rows.set(issued.id, record(issued, ['read']));
    const v = verifier();
    expect(await v.verify(issued.token)).not.toBeNull();
    const garbage = Array.from({ length: 10 }, () => issueToken().token);
    for (const token of garbage) expect(await v.verify(token)).toBeNull();
    for (const token of garbage.slice(-3)) expect(await v.verify(token)).toBeNull();
    expect(find).toHaveBeenCalledTimes(11);
    expect(await v.verify(issued.token)).not.toBeNull();
    expect(find).toHaveBeenCalledTimes(11);
  });

  it('a ledger failure is a 503, and is not cached', async () => {
    const issued = issueToken();
    rows.set(issued.id, record(issued, ['read']));
    const v = verifier();
    find.mockRejectedValueOnce(new Error('connection refused'));
    await expect(v.verify(issued.token)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(await v.verify(issued.token)).not.toBeNull();
  });
});
