import request from 'supertest';
import type { HotState, ReserveRequest } from '../../../src/hot-state/hot-state';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';

describeEachBackend('participation end to end', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  const reserves: ReserveRequest[] = [];

  beforeAll(async () => {
    backends = await createBackends(backend);
    const hotState = backends.hotState();
    const recording: HotState = new Proxy(hotState, {
      get: (target, prop, receiver) =>
        prop === 'reserve'
          ? (r: ReserveRequest) => {
              reserves.push(r);
              return target.reserve(r);
            }
          : (Reflect.get(target, prop, receiver) as unknown),
    });
    pocket = await createTestPocket(backends, {
      clock: () => new Date('2026-11-11T10:00:00+08:00'),
      hotState: recording,
    });
  });
  afterAll(async () => {
    await pocket.close();
    await backends.destroy();
  });

  it('grants, then replays the stored answer byte for byte (DESIGN.md Idempotency)', async () => {
    const send = () =>
      request(pocket.app)
        .post('/v1/campaigns/double11-red-packet-rain/participations')
        .set('Idempotency-Key', 'k-1')
        .send({ userId: 'u-1', context: { channel: 'app' } });
    const first = await send();
    expect(first.status).toBe(201);
    expect(first.body.outcome).toBe('granted');
    // The budget's currency of the version that granted (double11's is CNY), beside DESIGN.md's fields.
    expect(first.body.grant.currency).toBe('CNY');
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.body.grant.currency).toBe('CNY');
    expect(again.headers['idempotent-replayed']).toBe('true');
    // The answer's currency is the grant row's: the user's grants listing reads it back from the ledger.
    const listed = await request(pocket.app).get('/v1/users/u-1/grants');
    expect(listed.status).toBe(200);
    const grants = listed.body.grants as Array<{ id: string; currency: string | null }>;
    expect(grants.find((g) => g.id === first.body.grant.id)?.currency).toBe('CNY');
  });

  it("keeps the user's hot counts until a day after the campaign's window ends, not 45 days", async () => {
    const userId = `ttl-${backend.replace(/\W/g, '-')}-${Date.now()}`;
    const answer = await request(pocket.app)
      .post('/v1/campaigns/double11-red-packet-rain/participations')
      .set('Idempotency-Key', `k-${userId}`)
      .send({ userId, context: { channel: 'app' } });
    expect(answer.status).toBe(201);
    // The window ends 2026-11-12T00:00+08:00, 14 h after the clock's 10:00; plus a day's grace.
    const ttlMs = 38 * 3600_000;
    expect(reserves.filter((r) => r.userId === userId).map((r) => r.userTtlMs)).toEqual([ttlMs]);
    if (backends.redis && backends.redisKeys) {
      const pttl = await backends.redis.pttl(backends.redisKeys.user('double11-red-packet-rain', userId));
      expect(pttl).toBeLessThanOrEqual(ttlMs);
      expect(pttl).toBeGreaterThan(ttlMs - 60_000);
    }
  });
});
