/**
 * Report totals past 2^53 − 1 on both backends: a coupon's face value (`amount`) is capped by no budget, and a
 * campaign without a budget total caps no charge, so two grants of the largest amount overflowed a double and the
 * report failed (`RangeError: column value 18014398509481982 is outside Number.MAX_SAFE_INTEGER`). The sums are
 * exact: a JSON number while safe, the digits as a string beyond, the table and CSV exact too.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { reportCsv, reportTable } from '../../../cli/report-output';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import type { Pocket } from '../../../src/server';
import { OpenApiContract } from '../../helpers/openapi-contract';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';

const MAX = 9007199254740991;
const TWICE = '18014398509481982';

const campaign = (id: string, budget: string, reward: string): string => `id: ${id}
name: ${id}
owner: tests
status: active
window: { start: 2026-01-01T00:00:00+08:00, end: 2027-01-01T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none }
budget: ${budget}
rewards:
  - ${reward}
segments:
  - id: everyone
    rewards: [{ reward: big, weight: 1 }]
decision: { strategy: weighted }
`;

function writeDefinitions(): string {
  const root = mkdtempSync(join(tmpdir(), 'pocket-large-totals-'));
  mkdirSync(join(root, 'campaigns'));
  mkdirSync(join(root, 'rules'));
  writeFileSync(join(root, 'rules', 'none.yaml'), 'rules: []\n');
  writeFileSync(
    join(root, 'campaigns', 'big-coupons.yaml'),
    campaign(
      'big-coupons',
      '{ currency: JPY, total: 1000 }',
      `{ id: big, type: coupon, value: ${MAX}, cost: 1 }`,
    ),
  );
  writeFileSync(
    join(root, 'campaigns', 'big-packets.yaml'),
    campaign(
      'big-packets',
      '{ currency: CNY }',
      `{ id: big, type: red_packet, amount: { min: ${MAX}, max: ${MAX} } }`,
    ),
  );
  return root;
}

describeEachBackend('report totals past 2^53', (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;
  let token: string;
  const contract = new OpenApiContract();

  beforeAll(async () => {
    root = writeDefinitions();
    backends = await createBackends(backend);
    pocket = await createTestPocket(backends, {
      config: { definitionsRoot: root },
      clock: () => new Date('2026-11-11T10:00:00+08:00'),
    });
    for (const id of ['big-coupons', 'big-packets']) {
      for (const userId of ['u-1', 'u-2']) {
        const res = await request(pocket.app)
          .post(`/v1/campaigns/${id}/participations`)
          .set('Idempotency-Key', `${id}-${userId}`)
          .send({ userId });
        expect([res.status, res.body.outcome]).toEqual([201, 'granted']);
      }
    }
    token = (await pocket.tokens.create(['read'], 'large-totals')).token;
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  it('sums coupon face values past 2^53 exactly under a budget that limits only the charge', async () => {
    const report = await pocket.reports.report('big-coupons');
    expect(report.byReward).toEqual([
      { rewardId: 'big', type: 'coupon', grants: 2, spend: 2, amount: TWICE },
    ]);
    expect(report.bySegment).toEqual([{ segmentId: 'everyone', grants: 2, spend: 2, amount: TWICE }]);
    expect(report.budget.total).toMatchObject({ plan: 1000, used: 2, remaining: 998 });
    expect(reportTable(report).join('\n')).toMatch(/big\s+coupon\s+2\s+2\s+18,014,398,509,481,982/);
    expect(reportCsv(report)).toContain(`reward,big,amount,${TWICE}\n`);
  });

  it('sums charges past 2^53 exactly without a budget total: report, usage, HTTP and its contract', async () => {
    const report = await pocket.reports.report('big-packets');
    expect(report.byReward).toEqual([
      { rewardId: 'big', type: 'red_packet', grants: 2, spend: TWICE, amount: TWICE },
    ]);
    expect(report.budget.byDate).toEqual([{ date: '2026-11-11', used: TWICE }]);
    expect(report.delivery.spendByStatus).toEqual({ pending: TWICE });
    expect(report.timeline.points.map((p) => p.spend)).toEqual([TWICE]);
    expect(reportTable(report).join('\n')).toMatch(
      /big\s+red_packet\s+2\s+180,143,985,094,819\.82\s+180,143,985,094,819\.82/,
    );
    expect(await new KnexGrantStore().usage(backends.ledger.db, 'big-packets')).toMatchObject({
      spent: BigInt(TWICE),
      dailySpent: { '2026-11-11': BigInt(TWICE) },
    });
    const res = await request(pocket.app)
      .get('/admin/campaigns/big-packets/report')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    // The digits as they are in the body, not a rounded double (1.8014398509481982e16 reads back as …980).
    expect(res.text).toContain(`"amount":"${TWICE}"`);
    contract.check('get', '/admin/campaigns/{id}/report', res);
  });
});
