/**
 * Issue 3 facts: "profile from a profiles file, with each tester's synthetic profile from the campaign YAML
 * taking precedence" (DESIGN.md: profile source = profiles file + testers' profiles). The profile source here
 * knows every tester too, with a profile that would route them to the other segment; the testers must land in
 * the segment of their synthetic profile, with nothing of the source's profile mixed in. A real user with the
 * same source profile shows the source is wired in and would decide otherwise.
 */
import type { ProfileSource } from '../../../src/integrations/profile-source';
import type { DecisionTrace } from '../../../src/observability/trace/decision-trace';
import type { Pocket } from '../../../src/server';
import { createBackends, describeEachBackend, removeDir, type TestBackends } from '../../helpers/pocket';
import {
  CAMPAIGN,
  MovingClock,
  participate,
  reportPocket,
  writeReportDefinitions,
} from '../observability/observability-fixtures';

// Segments are tried in order (vips, then members): a merged {vip, member} profile would also land in vips.
const YAML = `id: ${CAMPAIGN}
name: Tester profiles
owner: participation-tests
status: active
window: { start: 2026-11-11T00:00:00+08:00, end: 2026-11-13T00:00:00+08:00 }
timezone: Asia/Shanghai
entry: { activityCode: none }
rewards:
  - { id: rp-vip, type: red_packet, name: VIP packet, amount: { min: 100, max: 100 }, stock: 10 }
  - { id: cp, type: coupon, name: Coupon, value: 150, cost: 50, stock: 10 }
segments:
  - id: vips
    when: vip
    rewards: [{ reward: rp-vip, weight: 1 }]
  - id: members
    when: member
    rewards: [{ reward: cp, weight: 1 }]
decision: { strategy: weighted }
testers:
  - { userId: qa-member, profile: { member: true } }
  - { userId: qa-vip, profile: { vip: true } }
observability: { trace: testers, log: coarse }
`;

/** What the profiles file would say: the opposite of each tester's synthetic profile. */
const SOURCE: Record<string, Record<string, unknown>> = {
  'qa-member': { vip: true },
  'qa-vip': { member: true },
  'real-vip': { vip: true },
};
const profiles: ProfileSource = { profile: (userId) => Promise.resolve(SOURCE[userId] ?? {}) };

describeEachBackend("testers' synthetic profiles take precedence over the profile source", (backend) => {
  let backends: TestBackends;
  let pocket: Pocket;
  let root: string;

  beforeAll(async () => {
    root = writeReportDefinitions(YAML);
    backends = await createBackends(backend);
    pocket = await reportPocket(backends, root, new MovingClock(), { profiles });
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
  });

  it.each([
    ['qa-member', { member: true }, 'members', 'cp'],
    ['qa-vip', { vip: true }, 'vips', 'rp-vip'],
  ])(
    '%s is decided on its synthetic profile %j (segment %s), not the source profile',
    async (userId, synthetic, segment, rewardId) => {
      const res = await participate(pocket, userId, { query: '?trace=1' });
      expect(res.status).toBe(201);
      const body = res.body as { grant: { rewardId: string; test: boolean }; trace: DecisionTrace };
      expect(body.trace.facts?.profile).toEqual(synthetic);
      expect(body.trace.segment).toBe(segment);
      expect(body.grant).toMatchObject({ rewardId, test: true });
    },
  );

  it('a real user is decided on the profile source', async () => {
    const res = await participate(pocket, 'real-vip');
    expect(res.status).toBe(201);
    expect((res.body as { grant: { rewardId: string; test: boolean } }).grant).toMatchObject({
      rewardId: 'rp-vip',
      test: false,
    });
  });
});
