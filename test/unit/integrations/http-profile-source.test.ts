/**
 * The HTTP profile source against a nock profile service: profiles, unknown users, the TTL cache, collapsed
 * concurrent lookups, and every way the service can fail (slow, down, 5xx, garbage) → DependencyUnavailable.
 */
import nock from 'nock';
import { HttpProfileSource } from '../../../src/integrations/http-profile-source';
import { dependencyUnavailable, useStrictNock } from './http-client-fixtures';

const BASE = 'http://profiles.test';

describe('HttpProfileSource', () => {
  let now: number;
  const source = (over: { timeoutMs?: number; cacheTtlMs?: number; maxEntries?: number } = {}) =>
    new HttpProfileSource({
      baseUrl: `${BASE}/`,
      timeoutMs: over.timeoutMs ?? 1000,
      cacheTtlMs: over.cacheTtlMs ?? 5000,
      ...(over.maxEntries === undefined ? {} : { maxEntries: over.maxEntries }),
      now: () => now,
    });

  useStrictNock();
  beforeEach(() => {
    now = 1_000_000;
  });

  const unavailable = (message: RegExp) => dependencyUnavailable('profile', message);

  it('gets a profile by user id (URL-encoded) and answers {} for a user the service does not know', async () => {
    nock(BASE)
      .get('/profiles/u%2F1')
      .reply(200, { profile: { age: 22, tags: ['vip'] } });
    nock(BASE).get('/profiles/nobody').reply(404, { error: 'not found' });
    const profiles = source();
    expect(await profiles.profile('u/1')).toEqual({ age: 22, tags: ['vip'] });
    expect(await profiles.profile('nobody')).toEqual({});
  });

  it('caches answers (unknown users too) for the TTL, then asks again', async () => {
    nock(BASE)
      .get('/profiles/u1')
      .times(2)
      .reply(200, { profile: { age: 1 } });
    nock(BASE).get('/profiles/ghost').once().reply(404);
    const profiles = source({ cacheTtlMs: 1000 });
    expect(await profiles.profile('u1')).toEqual({ age: 1 });
    expect(await profiles.profile('ghost')).toEqual({});
    now += 999;
    expect(await profiles.profile('u1')).toEqual({ age: 1 });
    expect(await profiles.profile('ghost')).toEqual({});
    expect(nock.pendingMocks()).toEqual([`GET ${BASE}:80/profiles/u1`]);
    now += 1;
    expect(await profiles.profile('u1')).toEqual({ age: 1 });
  });

  it('collapses concurrent lookups of one user into one call, and shares its failure', async () => {
    let calls = 0;
    nock(BASE)
      .get('/profiles/hot')
      .delay(50)
      .reply(() => {
        calls++;
        return [200, { profile: { n: calls } }];
      });
    const profiles = source();
    const answers = await Promise.all(Array.from({ length: 50 }, () => profiles.profile('hot')));
    expect(calls).toBe(1);
    expect(new Set(answers.map((a) => a['n']))).toEqual(new Set([1]));

    nock(BASE).get('/profiles/cold').delay(20).reply(500);
    const failures = await Promise.allSettled(Array.from({ length: 10 }, () => profiles.profile('cold')));
    expect(failures.every((f) => f.status === 'rejected')).toBe(true);
  });

  it('keeps at most maxEntries users, dropping the oldest', async () => {
    nock(BASE)
      .get(/\/profiles\/u\d/)
      .times(4)
      .reply(200, { profile: {} });
    const profiles = source({ maxEntries: 2 });
    for (const id of ['u1', 'u2', 'u3']) await profiles.profile(id);
    await profiles.profile('u3');
    await profiles.profile('u2');
    await profiles.profile('u1'); // dropped: asked again
  });

  it('is unavailable when the service is slow (timeout), and does not cache that', async () => {
    nock(BASE)
      .get('/profiles/u1')
      .delay(500)
      .reply(200, { profile: { age: 1 } });
    const profiles = source({ timeoutMs: 50 });
    await expect(profiles.profile('u1')).rejects.toEqual(unavailable(/did not answer within 50 ms/));
    nock(BASE)
      .get('/profiles/u1')
      .reply(200, { profile: { age: 2 } });
    expect(await profiles.profile('u1')).toEqual({ age: 2 });
  });

  it('is unavailable when the service is down or answers 5xx or another status', async () => {
    nock(BASE).get('/profiles/a').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    nock(BASE).get('/profiles/b').reply(503, 'busy');
    nock(BASE).get('/profiles/c').reply(401, { error: 'who are you' });
    const profiles = source();
    await expect(profiles.profile('a')).rejects.toEqual(unavailable(/unreachable/));
    await expect(profiles.profile('b')).rejects.toEqual(unavailable(/answered 503/));
    await expect(profiles.profile('c')).rejects.toEqual(unavailable(/answered 401/));
  });

  it('is unavailable when the answer is over 64 KiB, reading no further, and does not cache that', async () => {
    const big = JSON.stringify({ profile: { notes: 'x'.repeat(70_000) } });
    nock(BASE).get('/profiles/u1').reply(200, big, { 'Content-Type': 'application/json' });
    const profiles = source();
    await expect(profiles.profile('u1')).rejects.toEqual(unavailable(/answered more than 64 KiB/));
    const justUnder = JSON.stringify({ profile: { notes: 'x'.repeat(65_000) } });
    nock(BASE).get('/profiles/u1').reply(200, justUnder, { 'Content-Type': 'application/json' });
    expect(await profiles.profile('u1')).toEqual({ notes: 'x'.repeat(65_000) });
  });

  it.each([
    ['not JSON', '<html>oops</html>'],
    ['JSON without a profile', JSON.stringify({ user: { age: 1 } })],
    ['a profile that is not an object', JSON.stringify({ profile: [1, 2] })],
    ['null', 'null'],
  ])('is unavailable when the service returns garbage: %s', async (_name, body) => {
    nock(BASE).get('/profiles/u1').reply(200, body, { 'Content-Type': 'application/json' });
    await expect(source().profile('u1')).rejects.toEqual(unavailable(/other than \{ profile \}/));
  });
});
