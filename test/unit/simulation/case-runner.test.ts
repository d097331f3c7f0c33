import type { CaseDefinition } from '../../../src/definitions/campaign-types';
import { runCase, runCases } from '../../../src/simulation/case-runner';
import { campaign, compiled, redPacket, THANKS, voucher } from './simulation-fixtures';

/** Weighted: new users may get rp-big, rp-small or thanks; everyone else rp-small or thanks. */
const rain = compiled(
  campaign({
    entry: { activityCode: 'none', channels: ['app', 'h5'] },
    limits: { perUser: { total: 3, daily: 1 } },
    rewards: [redPacket('rp-big', 500, 2000, 100), redPacket('rp-small', 50, 200, 1000), THANKS],
    segments: [
      {
        id: 'new-users',
        when: 'new-user',
        rewards: [
          { reward: 'rp-big', weight: 30 },
          { reward: 'rp-small', weight: 60 },
          { reward: 'thanks', weight: 10 },
        ],
      },
      {
        id: 'everyone',
        rewards: [
          { reward: 'rp-small', weight: 70 },
          { reward: 'thanks', weight: 30 },
        ],
      },
    ],
    decision: { strategy: 'weighted', fallback: 'thanks' },
    testers: [{ userId: 'qa-new', profile: { registeredDays: 1 } }],
  }),
);

/** Efficiency: the best score per cost is the one possible reward. */
const drive = compiled(
  campaign({
    rewards: [voucher('beauty', 900, 10), voucher('dining', 250, 10), THANKS],
    segments: [
      {
        id: 'everyone',
        rewards: [
          { reward: 'beauty', weight: 1, score: 3.2 },
          { reward: 'dining', weight: 1, score: 0.7 },
        ],
      },
    ],
    decision: { strategy: 'efficiency', fallback: 'thanks' },
  }),
);

const MIDDLE = '2026-11-21T04:00:00.000Z'; // halfway through 2026-11-20T00:00+08:00 .. 2026-11-23T00:00+08:00
const newUser = { profile: { registeredDays: 2 }, context: { channel: 'app' } };
const oldUser = { profile: { registeredDays: 400 }, context: { channel: 'app' } };

const kase = (fields: Omit<CaseDefinition, 'name'> & { name?: string }): CaseDefinition => ({
  name: 'the case',
  ...fields,
});

describe('runCase', () => {
  it('passes when outcome, segment and the set of possible rewards all match', async () => {
    const result = await runCase(
      rain,
      kase({
        ...newUser,
        expect: { outcome: 'granted', segment: 'new-users', rewards: ['rp-big', 'rp-small', 'thanks'] },
      }),
      0,
    );
    expect(result.passed).toBe(true);
    expect(result.failures).toEqual([]);
    expect(result.name).toBe('the case');
    expect(result.actual).toEqual({
      outcome: 'granted',
      segment: 'new-users',
      rewards: ['rp-big', 'rp-small', 'thanks'],
      at: MIDDLE,
    });
    expect(result.explanation.segment).toBe('new-users');
    expect(result.explanation.segments.map((s) => [s.segment, s.matched])).toEqual([
      ['new-users', true],
      ['everyone', true],
    ]);
    expect(result.explanation.segments[0]?.conditions).toEqual([
      expect.objectContaining({
        fact: 'profile',
        operator: 'lessThan',
        value: 7,
        factValue: 2,
        result: true,
      }),
    ]);
  });

  it('passes `reward: X` only when X is the one possible reward (efficiency)', async () => {
    const ok = await runCase(drive, kase({ expect: { reward: 'beauty' } }), 0);
    expect(ok.passed).toBe(true);
    expect(ok.actual.rewards).toEqual(['beauty']);
    const wrong = await runCase(drive, kase({ expect: { reward: 'dining' } }), 0);
    expect(wrong.failures).toEqual(['expected reward dining, but the possible rewards are beauty']);
  });

  it('reports a wrong outcome', async () => {
    const result = await runCase(
      rain,
      kase({ ...oldUser, history: { grants: 3, grantsToday: 0 }, expect: { outcome: 'granted' } }),
      0,
    );
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual(['expected outcome granted, got limit_reached']);
    expect(result.actual).toEqual({ outcome: 'limit_reached', segment: 'everyone', rewards: [], at: MIDDLE });
  });

  it('reports a wrong segment, naming "none" for no segment', async () => {
    const wrong = await runCase(rain, kase({ ...oldUser, expect: { segment: 'new-users' } }), 0);
    expect(wrong.failures).toEqual(['expected segment new-users, got everyone']);
    const none = await runCase(rain, kase({ ...oldUser, expect: { segment: null } }), 0);
    expect(none.failures).toEqual(['expected segment none, got everyone']);
    const refused = await runCase(
      rain,
      kase({ profile: {}, context: { channel: 'web' }, expect: { segment: 'everyone' } }),
      0,
    );
    // It says which setting refused it, as it says what the account age read.
    expect(refused.failures).toEqual([
      'expected segment everyone, got none (outcome channel_not_allowed, decided before segments are matched)',
      'channel: refused: "web" is not in entry.channels (app, h5)',
    ]);
    expect(refused.actual.outcome).toBe('channel_not_allowed');
  });

  it('gives no segment when liveness or the channel refuses first, though the conditions match one', async () => {
    const noChannel = await runCase(
      rain,
      kase({ profile: { registeredDays: 2 }, expect: { segment: 'new-users' } }),
      0,
    );
    expect(noChannel.actual).toEqual({
      outcome: 'channel_not_allowed',
      segment: null,
      rewards: [],
      at: MIDDLE,
    });
    expect(noChannel.failures).toEqual([
      'expected segment new-users, got none (outcome channel_not_allowed, decided before segments are matched)',
      'channel: refused: context.channel is missing (entry.channels: app, h5); give one, e.g. {"channel":"app"}',
    ]);
    // The conditions are still evaluated and shown: they match, but the pipeline never reached them.
    expect(noChannel.explanation.segment).toBe('new-users');
    const ended = await runCase(
      rain,
      kase({ ...newUser, at: '2026-11-23T00:00:00+08:00', expect: { segment: 'new-users' } }),
      0,
    );
    expect(ended.failures).toEqual([
      'expected segment new-users, got none (outcome ended, decided before segments are matched)',
      'window: refused: it ends at 2026-11-23T00:00:00+08:00 (exclusive), and 2026-11-23T00:00:00+08:00 is not before it',
    ]);
  });

  it('names the outcome with a wrong segment unless it is granted or another failure names it', async () => {
    const limited = await runCase(
      rain,
      kase({ ...oldUser, history: { grants: 3, grantsToday: 0 }, expect: { segment: 'new-users' } }),
      0,
    );
    expect(limited.failures).toEqual(['expected segment new-users, got everyone (outcome limit_reached)']);
    const both = await runCase(
      rain,
      kase({
        ...oldUser,
        history: { grants: 3, grantsToday: 0 },
        expect: { outcome: 'granted', segment: 'new-users' },
      }),
      0,
    );
    expect(both.failures).toEqual([
      'expected outcome granted, got limit_reached',
      'expected segment new-users, got everyone',
    ]);
  });

  it('refuses `reward: X` when a weighted draw could give more than X', async () => {
    const result = await runCase(rain, kase({ ...oldUser, expect: { reward: 'rp-small' } }), 0);
    expect(result.failures).toEqual([
      'expected reward rp-small, but the possible rewards are rp-small, thanks',
    ]);
  });

  it('refuses `rewards: [...]` when the draw can also give a reward outside the list', async () => {
    const result = await runCase(rain, kase({ ...newUser, expect: { rewards: ['rp-small', 'thanks'] } }), 0);
    expect(result.failures).toEqual(['expected one of rp-small, thanks, but it can also give rp-big']);
  });

  it('accepts `rewards: [...]` listing more than the possible rewards', async () => {
    const result = await runCase(
      rain,
      kase({ ...oldUser, expect: { rewards: ['rp-big', 'rp-small', 'thanks'] } }),
      0,
    );
    expect(result.passed).toBe(true);
  });

  it('reports "no reward" with the outcome when nothing is granted', async () => {
    const at = '2026-11-19T23:59:59+08:00';
    const single = await runCase(rain, kase({ ...oldUser, at, expect: { reward: 'rp-small' } }), 0);
    expect(single.failures).toEqual([
      'expected reward rp-small, got no reward (not_started)',
      'window: refused: it starts at 2026-11-20T00:00:00+08:00, after 2026-11-19T23:59:59+08:00',
    ]);
    expect(single.actual).toEqual({
      outcome: 'not_started',
      segment: null,
      rewards: [],
      at: '2026-11-19T15:59:59.000Z',
    });
    const several = await runCase(
      rain,
      kase({ ...oldUser, at, expect: { rewards: ['rp-small', 'thanks'] } }),
      0,
    );
    expect(several.failures).toEqual([
      'expected one of rp-small, thanks, got no reward (not_started)',
      'window: refused: it starts at 2026-11-20T00:00:00+08:00, after 2026-11-19T23:59:59+08:00',
    ]);
  });

  it('lists every failure of a case, in order', async () => {
    const result = await runCase(
      rain,
      kase({
        ...oldUser,
        context: { channel: 'web' },
        expect: { outcome: 'granted', segment: 'everyone', reward: 'rp-small' },
      }),
      0,
    );
    expect(result.failures).toEqual([
      'expected outcome granted, got channel_not_allowed',
      'expected segment everyone, got none (outcome channel_not_allowed, decided before segments are matched)',
      'expected reward rp-small, got no reward (channel_not_allowed)',
      'channel: refused: "web" is not in entry.channels (app, h5)',
    ]);
  });

  it("uses a tester's profile when the case names a tester and gives no profile", async () => {
    const tester = await runCase(
      rain,
      kase({ userId: 'qa-new', context: { channel: 'app' }, expect: { segment: 'new-users' } }),
      0,
    );
    expect(tester.passed).toBe(true);
    const own = await runCase(
      rain,
      kase({ userId: 'qa-new', ...oldUser, expect: { segment: 'new-users' } }),
      0,
    );
    expect(own.failures).toEqual(['expected segment new-users, got everyone']);
  });

  it('honours `at` for the window and per-day limits', async () => {
    const ended = await runCase(
      rain,
      kase({ ...oldUser, at: '2026-11-23T00:00:00+08:00', expect: { outcome: 'ended' } }),
      0,
    );
    expect(ended.passed).toBe(true);
    const daily = await runCase(
      rain,
      kase({ ...oldUser, history: { grants: 1, grantsToday: 1 }, expect: { outcome: 'limit_reached' } }),
      0,
    );
    expect(daily.passed).toBe(true);
  });

  it('runs every case of a file in order', async () => {
    const results = await runCases(rain, [
      kase({ name: 'first', ...newUser, expect: { segment: 'new-users' } }),
      kase({ name: 'second', ...oldUser, expect: { segment: 'new-users' } }),
    ]);
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['first', true],
      ['second', false],
    ]);
  });
});

describe('runCase: the account-age check (protection.velocity.minAccountAgeDays)', () => {
  const aged = compiled(
    campaign({
      entry: { activityCode: 'none', channels: ['app'] },
      protection: { velocity: { maxAccountsPerDevice: 2, minAccountAgeDays: 3 } },
    }),
  );
  const app = { channel: 'app' };

  it('refuses an account younger than the minimum, or of unknown age, with velocity, as the service does', async () => {
    for (const profile of [{ registeredDays: 2 }, {}, { registeredDays: '30' }]) {
      const result = await runCase(aged, kase({ profile, context: app, expect: { outcome: 'velocity' } }), 0);
      expect(result.passed).toBe(true);
      expect(result.actual).toMatchObject({ outcome: 'velocity', segment: null, rewards: [] });
    }
  });

  it('lets an account of the minimum age through to the segments, and shows the decision', async () => {
    const result = await runCase(
      aged,
      kase({
        profile: { registeredDays: 3 },
        context: app,
        expect: { outcome: 'granted', segment: 'everyone' },
      }),
      0,
    );
    expect(result.passed).toBe(true);
    expect(result.actual.accountAge).toEqual({ result: 'pass', min: 3, registeredDays: 3 });
  });

  it('says which field, what value and which minimum refused a case that expected a grant', async () => {
    const young = await runCase(
      aged,
      kase({ profile: { registeredDays: 1 }, context: app, expect: { outcome: 'granted' } }),
      0,
    );
    expect(young.failures).toEqual([
      'expected outcome granted, got velocity',
      'account age refused (403 velocity): profile.registeredDays 1 < minAccountAgeDays 3',
    ]);
    const unknown = await runCase(aged, kase({ context: app, expect: { segment: 'everyone' } }), 0);
    expect(unknown.failures).toEqual([
      'expected segment everyone, got none (outcome velocity, decided before segments are matched)',
      'account age refused (403 velocity): profile.registeredDays is missing, and minAccountAgeDays 3 refuses an unknown account age',
    ]);
  });

  it('decides liveness and the channel first, as the service does', async () => {
    const h5 = await runCase(
      aged,
      kase({ context: { channel: 'h5' }, expect: { outcome: 'channel_not_allowed' } }),
      0,
    );
    expect(h5.passed).toBe(true);
    expect(h5.actual.accountAge).toBeUndefined();
  });

  it('makes no account-age check for a campaign without minAccountAgeDays', async () => {
    const result = await runCase(drive, kase({ profile: {}, expect: { outcome: 'granted' } }), 0);
    expect(result.passed).toBe(true);
    expect(result.actual.accountAge).toBeUndefined();
  });
});
