import { formatPath } from '../../../src/definitions/finding';
import { SchemaKind, validateAgainstSchema } from '../../../src/definitions/schema-validator';

function errors(kind: SchemaKind, data: unknown): string[] {
  return validateAgainstSchema(kind, data).map((f) => `${formatPath(f.path)}: ${f.message}`);
}

const campaign = {
  id: 'c',
  name: 'C',
  owner: 'o',
  status: 'active',
  window: { start: '2026-11-11T00:00:00+08:00', end: '2026-11-12T00:00:00+08:00' },
  timezone: 'UTC',
  entry: { activityCode: 'none' },
  rewards: [{ id: 'thanks', type: 'none' }],
  segments: [{ id: 'everyone', rewards: [{ reward: 'thanks', weight: 1 }] }],
  decision: { strategy: 'weighted' },
};

function withReward(reward: object): object {
  return { ...campaign, rewards: [reward] };
}

describe('schema errors', () => {
  it('tells an impossible date or time apart from a missing offset', () => {
    const at = (start: string) => errors('campaign', { ...campaign, window: { ...campaign.window, start } });
    expect(at('2026-11-31T00:00:00+08:00')).toEqual([
      'window.start: is not a real date/time: November has 30 days (got "2026-11-31T00:00:00+08:00")',
    ]);
    // RFC 3339 allows a leap second; no JavaScript date can name one, so the campaign could never open.
    expect(at('2026-12-31T23:59:60Z')).toEqual([
      'window.start: is not a real date/time: there is no second 60 (seconds run 00-59) (got "2026-12-31T23:59:60Z")',
    ]);
    expect(at('2026-11-30T24:00:00Z')).toEqual([
      'window.start: is not a real date/time: there is no hour 24 (hours run 00-23) (got "2026-11-30T24:00:00Z")',
    ]);
    expect(at('2026-11-30T00:00:00')).toEqual([
      'window.start: must be an ISO 8601 date-time with an offset, e.g. 2026-11-11T00:00:00+08:00 (got "2026-11-30T00:00:00")',
    ]);
    const cases = {
      campaign: 'c',
      cases: [{ name: 'n', at: '2026-13-01T00:00:00Z', expect: { segment: null } }],
    };
    expect(errors('cases', cases)).toEqual([
      'cases[0].at: is not a real date/time: there is no month 13 (months run 01-12) (got "2026-13-01T00:00:00Z")',
    ]);
  });

  it('says to drop the "%" from a percentage where a number is wanted, and that weights are shares', () => {
    const weighted = (weight: unknown) =>
      errors('campaign', { ...campaign, segments: [{ id: 'all', rewards: [{ reward: 'thanks', weight }] }] });
    expect(weighted('10%')).toEqual([
      'segments[0].rewards[0].weight: must be a number (got "10%"); write 10: weights are shares of the segment\'s total, not percentages (weights 1 and 3 give 25% and 75%)',
    ]);
    const risk = { maxScore: '80 %', action: 'deny', onError: 'deny' };
    expect(errors('campaign', { ...campaign, protection: { risk } })).toEqual([
      'protection.risk.maxScore: must be a number (got "80 %"); write 80, without "%"',
    ]);
  });

  it('says how to write an amount given in major units, in the campaign currency', () => {
    const red = { id: 'rp', type: 'red_packet', amount: { min: 3.5, max: 10 } };
    expect(errors('campaign', { ...withReward(red), budget: { currency: 'CNY' } })).toEqual([
      'rewards[0].amount.min: must be an integer number of minor units (got 3.5); amounts count minor units of CNY (1 CNY = 100): for 3.5 CNY write 350',
    ]);
    // Without a currency, or with one that has no minor unit, there is nothing to multiply by.
    expect(errors('campaign', withReward(red))).toEqual([
      'rewards[0].amount.min: must be an integer number of minor units (got 3.5)',
    ]);
  });

  it('names the allowed values and suggests the closest one', () => {
    expect(errors('campaign', { ...campaign, status: 'activ' })).toEqual([
      'status: must be one of: draft, active, ended (got "activ"; did you mean "active"?)',
    ]);
  });

  it('refuses requireDeviceId without the device limit it applies to', () => {
    const velocity = (v: object) => errors('campaign', { ...campaign, protection: { velocity: v } });
    expect(velocity({ requireDeviceId: true, minAccountAgeDays: 3 })).toEqual([
      'protection.velocity: must have property maxAccountsPerDevice when property requireDeviceId is present',
    ]);
    expect(velocity({ requireDeviceId: true, maxAccountsPerDevice: 2 })).toEqual([]);
  });

  it('reports a typo once, as an unknown property, not also as a missing one', () => {
    expect(
      errors('campaign', withReward({ id: 'rp', type: 'red_packet', amout: { min: 1, max: 2 } })),
    ).toEqual([
      'rewards[0].amout: unknown property "amout" (did you mean "amount"?); allowed: id, type, name, amount, stock',
    ]);
  });

  // `when: new_user` and `when: [new-user]` were told the rule only, not what to write.
  it('spells out the id to write for a segment rule written otherwise', () => {
    const when = (value: unknown) =>
      errors('campaign', {
        ...campaign,
        segments: [{ id: 'everyone', when: value, rewards: [{ reward: 'thanks', weight: 1 }] }],
      });
    expect(when('new_user')).toEqual([
      'segments[0].when: must be kebab-case: lowercase letters and digits in words joined by single hyphens (got "new_user"); write new-user',
    ]);
    expect(when('newUser')[0]).toMatch(/; write new-user$/);
    expect(when('New User')[0]).toMatch(/; write new-user$/);
    expect(when('new--user')[0]).not.toMatch(/; write/);
    const cny = errors('campaign', { ...campaign, budget: { currency: 'cny' } });
    expect(cny).toEqual([
      'budget.currency: must be an ISO 4217 currency code such as CNY or USD (got "cny"); write CNY',
    ]);
    // Only where the spelling is sure: RMB is refused too, a channel is what requests send (not "we-chat"), and a
    // user id is case-sensitive.
    expect(errors('campaign', { ...campaign, budget: { currency: 'rmb' } })[0]).not.toContain('; write');
    const channels = errors('campaign', {
      ...campaign,
      entry: { activityCode: 'none', channels: ['WeChat'] },
    });
    expect(channels[0]).toMatch(/; write wechat$/);
    const tester = errors('campaign', { ...campaign, testers: [{ userId: 'Bob Smith', profile: {} }] });
    expect(tester[0]).not.toContain('; write');
    // The value written as YAML reads it back: `#1 pack` unquoted would be a comment.
    expect(errors('campaign', { ...campaign, name: ['#1 pack'] })[0]).toMatch(/write name: '#1 pack'$/);
    expect(when(['new-user'])).toEqual([
      'segments[0].when: must be a string (got ["new-user"]); one value, without brackets: write when: new-user',
    ]);
  });

  // A key at the wrong level was listed only its neighbours there: `fallback` at the top, `timezone` in `window`.
  it('says where a key written at another level belongs', () => {
    expect(errors('campaign', { ...campaign, fallback: 'thanks' })).toEqual([
      expect.stringMatching(
        /^fallback: unknown property "fallback" \(it belongs under decision: decision\.fallback\); allowed: id, /,
      ),
    ]);
    expect(errors('campaign', { ...campaign, window: { ...campaign.window, timezone: 'UTC' } })).toEqual([
      'window.timezone: unknown property "timezone" (it belongs under the top level: timezone); allowed: start, end',
    ]);
    expect(errors('campaign', { ...campaign, limits: { total: 3 } })).toEqual([
      'limits.total: unknown property "total" (it belongs under limits.perUser or budget: limits.perUser.total or budget.total); allowed: perUser',
    ]);
    // A typo is still a typo first.
    expect(errors('campaign', { ...campaign, decison: {} })[0]).toContain('(did you mean "decision"?)');
  });

  // `{ reward:c-1, weight: 1 }` reads as one key "reward:c-1": it was "missing reward" and "unknown property".
  it('says a key glued to its value in a { … } map lacks its ": ", once', () => {
    const glued = {
      ...campaign,
      segments: [{ id: 'everyone', rewards: [{ 'reward:thanks': null, weight: 1 }] }],
    };
    expect(errors('campaign', glued)).toEqual([
      'segments[0].rewards[0]["reward:thanks"]: missing ": " after the key "reward": write reward: thanks',
    ]);
  });

  it('explains fields that the reward type does not take', () => {
    expect(errors('campaign', withReward({ id: 'thanks', type: 'none', stock: 5 }))).toEqual([
      'rewards[0].stock: property "stock" is not allowed for type "none"; allowed: id, type, name',
    ]);
  });

  it('requires the fields of the reward type', () => {
    expect(errors('campaign', withReward({ id: 'c10', type: 'coupon', value: 1000 }))).toEqual([
      'rewards[0]: missing required property "cost"',
    ]);
  });

  it('calls non-integer money what it is, and reports one problem per value', () => {
    expect(errors('campaign', { ...campaign, budget: { currency: 'CNY', total: -0.5 } })).toEqual([
      'budget.total: must be an integer number of minor units (got -0.5)',
    ]);
    expect(
      errors('campaign', withReward({ id: 'rp', type: 'red_packet', amount: { min: 0, max: 2 } })),
    ).toEqual(['rewards[0].amount.min: must be at least 1 (got 0)']);
  });

  it('caps stock, per-user limits and money at what the ledger and the hot state hold exactly', () => {
    const huge = withReward({ id: 'rp', type: 'red_packet', amount: { min: 1, max: 2 ** 53 }, stock: 1e308 });
    expect(
      errors('campaign', {
        ...huge,
        limits: { perUser: { total: 2 ** 31 } },
        budget: { currency: 'CNY', total: 2 ** 53 - 1 },
      }),
    ).toEqual([
      'limits.perUser.total: must be at most 2147483647 (got 2147483648)',
      'rewards[0].amount.max: must be at most 9007199254740991 (got 9007199254740992)',
      'rewards[0].stock: must be at most 2147483647 (got 1e+308)',
    ]);
  });

  it('caps weights and scores, so that the weights of a segment always add up to a finite number', () => {
    const segment = {
      id: 'everyone',
      rewards: [
        { reward: 'thanks', weight: 1e308, score: 1e308 },
        { reward: 'thanks', weight: 1_000_000, score: 1_000_000 },
      ],
    };
    expect(errors('campaign', { ...campaign, segments: [segment] })).toEqual([
      'segments[0].rewards[0].weight: must be at most 1000000 (got 1e+308)',
      'segments[0].rewards[0].score: must be at most 1000000 (got 1e+308)',
    ]);
  });

  it('holds channels to what a request can send', () => {
    const entry = { activityCode: 'none', channels: ['app', 'App', 'mini_program', '🎁', 'mini-program'] };
    const hint =
      'must be a channel as requests send it: 1-32 lower-case letters, digits and hyphens, e.g. app, h5, mini-program';
    expect(errors('campaign', { ...campaign, entry })).toEqual([
      `entry.channels[1]: ${hint} (got "App"); write app`,
      `entry.channels[2]: ${hint} (got "mini_program"); write mini-program`,
      `entry.channels[3]: ${hint} (got "🎁")`,
    ]);
  });

  it('explains ids, dates and rate limits', () => {
    expect(
      errors('campaign', {
        ...campaign,
        id: 'New_Campaign',
        window: { start: '2026-11-11', end: '2026-11-12T00:00:00+08:00' },
        protection: { rateLimit: { perIp: '0/s' } },
      }),
    ).toEqual([
      'id: must be kebab-case: lowercase letters and digits in words joined by single hyphens (got "New_Campaign"); write new-campaign',
      'window.start: must be an ISO 8601 date-time with an offset, e.g. 2026-11-11T00:00:00+08:00 (got "2026-11-11")',
      'protection.rateLimit.perIp: must be "<count>/<unit>" with unit s, sec, min, h, hour or day, e.g. 5/min (got "0/s")',
    ]);
  });

  it('caps ids at 64 characters, what every HTTP path and the activity codes accept', () => {
    const longest = `cc${'-x'.repeat(31)}`;
    expect(longest).toHaveLength(64);
    expect(errors('campaign', { ...campaign, id: longest })).toEqual([]);
    expect(errors('campaign', { ...campaign, id: `${longest}x` })).toEqual([
      'id: must be at most 64 characters (got 65)',
    ]);
  });

  it('holds tester ids to the user ids the participation API takes', () => {
    const testers = (userId: string) => ({ ...campaign, testers: [{ userId, profile: {} }] });
    expect(errors('campaign', testers('qa-alice@team:1'))).toEqual([]);
    const rule =
      'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -, not . or .. alone (a user id the participation API takes)';
    expect(errors('campaign', testers('qa dave!'))).toEqual([`testers[0].userId: ${rule} (got "qa dave!")`]);
    expect(errors('campaign', testers(''))).toEqual([`testers[0].userId: ${rule} (got "")`]);
    // `..` would be a path step in the profile service's URL.
    expect(errors('campaign', testers('..'))).toEqual([`testers[0].userId: ${rule} (got "..")`]);
    expect(errors('campaign', testers('...'))).toEqual([]);
  });

  it('names types in words', () => {
    expect(errors('campaign', { ...campaign, segments: { id: 'x' }, name: 5 })).toEqual([
      'name: must be a string (got 5)',
      'segments: must be a list (got a map)',
    ]);
  });

  it('suggests the list form for a single item written where a list is wanted, when the item is valid', () => {
    const entry = (channels: unknown) => ({ ...campaign, entry: { activityCode: 'none', channels } });
    expect(errors('campaign', entry('app'))).toEqual([
      'entry.channels: must be a list (got "app"); write channels: [app]',
    ]);
    expect(errors('campaign', { ...campaign, notify: { on: 'stock.exhausted' } })).toEqual([
      'notify.on: must be a list (got "stock.exhausted"); write on: [stock.exhausted]',
    ]);
    const expectRewards = { campaign: 'c', cases: [{ name: 'n', expect: { rewards: 'rp' } }] };
    expect(errors('cases', expectRewards)).toEqual([
      'cases[0].expect.rewards: must be a list (got "rp"); write rewards: [rp]',
    ]);
    // Not a valid item either (channels are lower case; segments are maps): no list form to suggest.
    expect(errors('campaign', entry('App'))).toEqual(['entry.channels: must be a list (got "App")']);
    expect(errors('campaign', { ...campaign, segments: 'everyone' })).toEqual([
      'segments: must be a list (got "everyone")',
    ]);
  });

  it('reports a missing required property at the map that lacks it', () => {
    const { decision: _decision, ...rest } = campaign;
    expect(errors('campaign', rest)).toEqual(['(root): missing required property "decision"']);
  });

  it('reports the later of two identical list items', () => {
    expect(
      errors('campaign', { ...campaign, entry: { activityCode: 'none', channels: ['app', 'h5', 'app'] } }),
    ).toEqual(['entry.channels[2]: duplicate item "app" (already at index 0)']);
  });

  it('keeps a condition to one shape', () => {
    const rules = (conditions: unknown) => ({ rules: [{ id: 'r', conditions }] });
    expect(errors('rules', rules({ all: [], fact: 'profile' }))).toEqual([
      'rules[0].conditions.fact: property "fact" is not allowed together with "all"; allowed: all',
      'rules[0].conditions.all: must list at least one item',
    ]);
    expect(errors('rules', rules({ fact: 'profile', path: 'age', value: 1 }))).toEqual([
      'rules[0].conditions: missing required property "operator"',
    ]);
    expect(errors('rules', rules({ al: [] }))).toEqual([
      'rules[0].conditions.al: unknown property "al" (did you mean "all"?); allowed: all, any, not, fact, path, operator, value, params',
    ]);
  });

  it('reports two of all / any / not in one condition once, at the condition', () => {
    const rules = (conditions: unknown) => ({ rules: [{ id: 'r', conditions }] });
    const leaf = { fact: 'profile', path: 'age', operator: 'equal', value: 1 };
    expect(errors('rules', rules({ all: [leaf], any: [leaf] }))).toEqual([
      'rules[0].conditions: "all" and "any" cannot both be set; nest one inside the other',
    ]);
    expect(errors('rules', rules({ any: [{ not: leaf, all: [leaf], any: [leaf] }] }))).toEqual([
      'rules[0].conditions.any[0]: "not", "all" and "any" cannot all be set; nest one inside the other',
    ]);
    // What else is wrong there is still said, with the keys the first of them allows.
    expect(errors('rules', rules({ all: [leaf], any: [leaf], fact: 'profile' }))).toEqual([
      'rules[0].conditions: "all" and "any" cannot both be set; nest one inside the other',
      'rules[0].conditions.fact: property "fact" is not allowed together with "all"; allowed: all',
    ]);
  });

  it('reports an empty condition once, at any depth', () => {
    const rules = (conditions: unknown) => ({ rules: [{ id: 'r', conditions }] });
    const empty = 'empty condition: set fact/operator/value, or all/any/not';
    expect(errors('rules', rules({}))).toEqual([`rules[0].conditions: ${empty}`]);
    expect(errors('rules', rules({ all: [{ not: {} }, {}] }))).toEqual([
      `rules[0].conditions.all[0].not: ${empty}`,
      `rules[0].conditions.all[1]: ${empty}`,
    ]);
  });

  it("holds a case's context to the participation API's request context, plus the ip rules may read", () => {
    const withContext = (context: unknown) => ({
      campaign: 'c',
      cases: [{ name: 'n', context, expect: { segment: null } }],
    });
    expect(errors('cases', withContext({ channel: 'app', platform: 'ios', locale: 'zh-CN' }))).toEqual([]);
    expect(errors('cases', withContext({ ip: '203.0.113.9' }))).toEqual([]);
    expect(errors('cases', withContext({ platform: 'nokia', ip: '' }))).toEqual([
      'cases[0].context.platform: must be one of: ios, android, web, other (got "nokia")',
      'cases[0].context.ip: must not be empty',
    ]);
    expect(errors('cases', withContext({ chanel: 'app', channel: 5 }))).toEqual([
      'cases[0].context.chanel: unknown property "chanel" (did you mean "channel"?); allowed: channel, deviceId, appVersion, platform, locale, ip',
      'cases[0].context.channel: must be a string (got 5)',
    ]);
  });

  it('needs a case to expect something', () => {
    expect(errors('cases', { campaign: 'c', cases: [{ name: 'n', expect: {} }] })).toEqual([
      'cases[0].expect: must set at least one of: outcome, segment, reward, rewards',
    ]);
  });

  it('accepts null as "matches no segment"', () => {
    expect(errors('cases', { campaign: 'c', cases: [{ name: 'n', expect: { segment: null } }] })).toEqual([]);
  });
});
