import request from 'supertest';
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

  beforeAll(async () => {
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, { clock: () => new Date('2026-11-11T10:00:00+08:00') });
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
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});
