/**
 * `history.rewards.<id>` is 0 for a reward of the campaign the user never got, in the service as in the CLI:
 * a rule "never got the big packet" (`rewards.rp-big equal 0`) read a missing path (false) for every user
 * who never got it, so its segment was unreachable.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';

const CAMPAIGN = `id: first-big
name: First big packet
owner: growth-tests
status: active
window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none }
limits: { perUser: { total: 3 } }
budget: { currency: CNY, total: 100000 }
rewards:
  - { id: rp-big, type: red_packet, name: Big, amount: { min: 500, max: 500 }, stock: 100 }
  - { id: thanks, type: none, name: Thanks }
segments:
  - id: never-got-big
    when: never-got-big
    rewards: [{ reward: rp-big, weight: 1 }]
  - id: everyone
    rewards: [{ reward: thanks, weight: 1 }]
decision: { strategy: weighted }
`;

const RULES = `rules:
  - id: never-got-big
    conditions: { all: [{ fact: history, path: rewards.rp-big, operator: equal, value: 0 }] }
`;

describeEachBackend('history.rewards.<id> of a reward never granted', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'pocket-history-'));
    mkdirSync(join(root, 'campaigns'));
    mkdirSync(join(root, 'rules'));
    writeFileSync(join(root, 'campaigns', 'first-big.yaml'), CAMPAIGN);
    writeFileSync(join(root, 'rules', 'history.yaml'), RULES);
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, {
      config: { definitionsRoot: root },
      clock: () => new Date('2026-11-11T10:00:00+08:00'),
    });
  });
  afterAll(async () => {
    await pocket.close();
    await backends.destroy();
    removeDir(root);
  });

  const join_ = (key: string) =>
    request(pocket.app)
      .post('/v1/campaigns/first-big/participations')
      .set('Idempotency-Key', key)
      .send({ userId: 'u-1', context: { channel: 'app' } });

  it('is 0 on the first participation (the big packet), then counts the grant (thanks)', async () => {
    const first = await join_('k-1');
    expect(first.status).toBe(201);
    expect(first.body.grant.rewardId).toBe('rp-big');
    const second = await join_('k-2');
    expect(second.status).toBe(201);
    expect(second.body.grant.rewardId).toBe('thanks');
  });
});
