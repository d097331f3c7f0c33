import type { Condition } from '../../../src/definitions/campaign-types';
import { checkRuleConditions } from '../../../src/definitions/check-rule-conditions';
import { formatPath } from '../../../src/definitions/finding';

function check(conditions: unknown): string[] {
  return checkRuleConditions({ id: 'r', conditions: conditions as Condition }, ['rules', 0]).map(
    (f) => `${formatPath(f.path)}: ${f.message}`,
  );
}

const leaf = (operator: string, value: unknown, extra: object = {}) => ({
  all: [{ fact: 'profile', path: 'age', operator, value, ...extra }],
});
const at = 'rules[0].conditions.all[0]';

describe('checkRuleConditions', () => {
  it('accepts every known operator, decorated operators and fact comparisons', () => {
    expect(
      check({
        any: [
          { fact: 'profile', path: '$.age', operator: 'between', value: [18, 25] },
          { fact: 'profile', path: 'tags', operator: 'everyFact:not:in', value: ['a'] },
          { fact: 'profile', path: 'tags', operator: 'someValue:startsWith', value: ['vip-', 'svip-'] },
          {
            fact: 'context',
            path: 'locale',
            operator: 'equal',
            value: { fact: 'profile', path: 'address.locale' },
          },
          { not: { all: [{ fact: 'history', path: 'grants', operator: 'greaterThan', value: 0 }] } },
        ],
      }),
    ).toEqual([]);
  });

  it('refuses unknown facts, operators and decorators, with a suggestion when one is close', () => {
    expect(check({ all: [{ fact: 'profil', operator: 'equals', value: 1 }] })).toEqual([
      `${at}.fact: unknown fact "profil"; allowed: profile, context, history`,
      `${at}.operator: unknown operator "equals" (did you mean "equal"?)`,
    ]);
    // The nearest spelling of ">=" is "in": symbols and query-language names say what to write instead.
    expect(check(leaf('>=', 18))).toEqual([
      `${at}.operator: unknown operator ">=": write greaterThanInclusive`,
    ]);
    expect(check(leaf('not:!=', 'a'))).toEqual([`${at}.operator: unknown operator "!=": write notEqual`]);
    expect(check(leaf('lessThanOrEqual', 7))).toEqual([
      `${at}.operator: unknown operator "lessThanOrEqual": write lessThanInclusive`,
    ]);
    expect(check(leaf('evryValue:in', [1]))).toEqual([
      `${at}.operator: unknown operator decorator "evryValue" in "evryValue:in" (did you mean "everyValue"?); allowed: everyFact, someFact, everyValue, someValue, not, swap`,
    ]);
  });

  it('refuses JSONPath, wildcards and prototype keys in paths, also in fact comparisons', () => {
    for (const path of ['$..age', 'tags[*]', 'a.__proto__.b', "$['age']"]) {
      expect(check(leaf('equal', 1, { path }))).toEqual([
        `${at}.path: path ${JSON.stringify(path)} is not a plain dotted path such as address.city or tags.0 (JSONPath filters, wildcards and scripts are refused)`,
      ]);
    }
    expect(check(leaf('equal', { fact: 'profile', path: 'x[0]' }))).toEqual([
      `${at}.value.path: path "x[0]" is not a plain dotted path such as address.city or tags.0 (JSONPath filters, wildcards and scripts are refused)`,
    ]);
  });

  it('checks the value of between, the numeric comparisons, in, notIn, containsAny and startsWith', () => {
    expect(check(leaf('between', 18))).toEqual([
      `${at}.value: operator "between" needs [low, high] (got 18)`,
    ]);
    expect(check(leaf('between', [18, 'x']))).toEqual([
      `${at}.value: operator "between" needs two numbers (got [18, "x"])`,
    ]);
    // Numbers only, as the operators compare (a string would never match): a quoted number gets a hint.
    expect(check(leaf('between', ['a', 'b']))).toEqual([
      `${at}.value: operator "between" needs two numbers (got ["a", "b"])`,
    ]);
    expect(check(leaf('lessThan', '7'))).toEqual([
      `${at}.value: operator "lessThan" compares numbers: needs a number (got "7"); write numbers without quotes`,
    ]);
    expect(check(leaf('greaterThanInclusive', null))).toEqual([
      `${at}.value: operator "greaterThanInclusive" compares numbers: needs a number (got null)`,
    ]);
    expect(check(leaf('not:greaterThan', 3))).toEqual([]);
    expect(check(leaf('not:between', [30, 18]))).toEqual([
      `${at}.value: low must not be greater than high (got [30, 18])`,
    ]);
    expect(check(leaf('between', [18, 18]))).toEqual([]);
    expect(check(leaf('in', 'bj'))).toEqual([`${at}.value: operator "in" needs a list of values (got "bj")`]);
    expect(check(leaf('notIn', 3))).toEqual([`${at}.value: operator "notIn" needs a list of values (got 3)`]);
    expect(check(leaf('containsAny', 'kids'))).toEqual([
      `${at}.value: operator "containsAny" needs a list of values (got "kids")`,
    ]);
    expect(check(leaf('startsWith', 9))).toEqual([
      `${at}.value: operator "startsWith" needs a string (got 9)`,
    ]);
  });

  it('leaves the value alone when a decorator changes its meaning or it names a fact', () => {
    expect(check(leaf('everyValue:in', [['a'], ['b']]))).toEqual([]);
    expect(check(leaf('swap:in', 'bj'))).toEqual([]);
    expect(check(leaf('between', { fact: 'profile', path: 'range' }))).toEqual([]);
  });

  // `notEqual null` (an operator's "has a gender") and `in: []` passed validate and were false for everyone.
  it('refuses a null value and an empty in or containsAny list, which never match', () => {
    const never =
      'value null never matches: a condition on a missing (null) value is false for every operator; to require that the field is set, write operator: notIn, value: []';
    for (const operator of ['notEqual', 'equal', 'not:equal', 'swap:in'])
      expect(check(leaf(operator, null))).toEqual([`${at}.value: ${never}`]);
    expect(check(leaf('in', []))).toEqual([
      `${at}.value: operator "in" with an empty list never matches; list the values it should match`,
    ]);
    expect(check(leaf('containsAny', []))).toEqual([
      `${at}.value: operator "containsAny" with an empty list never matches; list the values it should match`,
    ]);
    // `notIn: []` is the way to say "is set": true for any value, false for a missing one; so is `not:in []`.
    expect(check(leaf('notIn', []))).toEqual([]);
    expect(check(leaf('not:in', []))).toEqual([]);
    expect(check(leaf('not:containsAny', []))).toEqual([]);
  });

  it('says a path that repeats its fact name is read inside the fact', () => {
    expect(check(leaf('equal', 'female', { path: 'profile.gender' }))).toEqual([
      `${at}.path: path "profile.gender" starts with the fact's name: the path is read inside profile, so write path: gender`,
    ]);
    expect(
      check({ all: [{ fact: 'history', path: 'history.grants', operator: 'equal', value: 0 }] }),
    ).toEqual([
      `${at}.path: path "history.grants" starts with the fact's name: the path is read inside history, so write path: grants`,
    ]);
    expect(
      check({ all: [{ fact: 'context', path: '$.context.channel', operator: 'equal', value: 'app' }] }),
    ).toEqual([
      `${at}.path: path "$.context.channel" starts with the fact's name: the path is read inside context, so write path: channel`,
    ]);
  });

  it('walks nested all / any / not at any depth', () => {
    const deep = { any: [{ not: { all: [{ any: [{ fact: 'device', operator: 'equal', value: 1 }] }] } }] };
    expect(check(deep)).toEqual([
      'rules[0].conditions.any[0].not.all[0].any[0].fact: unknown fact "device"; allowed: profile, context, history',
    ]);
  });
});

describe('checkRuleConditions: what a fact can be read at', () => {
  const history = (path: string | undefined, operator = 'equal', value: unknown = 0) => ({
    all: [{ fact: 'history', operator, value, ...(path === undefined ? {} : { path }) }],
  });
  const PATHS = 'participations, grants, grantsToday, rewards.<rewardId>';

  it('accepts every history path, with or without $.', () => {
    for (const path of ['participations', 'grants', '$.grantsToday', 'rewards.rp-big', '$.rewards.thanks'])
      expect(check(history(path))).toEqual([]);
  });

  it('refuses an unknown history path, suggesting the closest one', () => {
    expect(check(history('grant'))).toEqual([
      `${at}.path: unknown history path "grant" (did you mean "grants"?); history paths: ${PATHS}`,
    ]);
    expect(check(history('$.reward.rp-big'))).toEqual([
      `${at}.path: unknown history path "$.reward.rp-big" (did you mean "rewards.rp-big"?); history paths: ${PATHS}`,
    ]);
    expect(check(history('age'))).toEqual([
      `${at}.path: unknown history path "age"; history paths: ${PATHS}`,
    ]);
  });

  it('refuses paths inside a count, and rewards without a reward id', () => {
    expect(check(history('grants.today'))).toEqual([
      `${at}.path: history path "grants.today" does not exist: grants is a count, with nothing inside it`,
    ]);
    expect(check(history('rewards'))).toEqual([
      `${at}.path: history path "rewards" needs a reward id: rewards.<rewardId>`,
    ]);
    expect(check(history('rewards.rp.n'))).toEqual([
      `${at}.path: history path "rewards.rp.n" does not exist: rewards.rp is a count, with nothing inside it`,
    ]);
  });

  it('checks history paths in fact comparisons too', () => {
    const compare = leaf('greaterThan', { fact: 'history', path: 'participation' });
    expect(check(compare)).toEqual([
      `${at}.value.path: unknown history path "participation" (did you mean "participations"?); history paths: ${PATHS}`,
    ]);
  });

  it('refuses a value a history count can never equal', () => {
    expect(check(history('grants', 'equal', '0'))).toEqual([
      `${at}.value: history.grants is a count: needs a number (got "0"); write numbers without quotes`,
    ]);
    expect(check(history('$.rewards.rp', 'not:notEqual', null))).toEqual([
      `${at}.value: history.rewards.rp is a count: needs a number (got null)`,
    ]);
    expect(check(history('grantsToday', 'in', [0, '1']))).toEqual([
      `${at}.value: history.grantsToday is a count: needs a list of numbers (got [0, "1"]); write numbers without quotes`,
    ]);
    expect(check(history('grants', 'contains', 1))).toEqual([
      `${at}.value: operator "contains" never matches history.grants, a count (a number); use equal, in, between or a comparison`,
    ]);
    // The operator's own check comes first, once.
    expect(check(history('grants', 'lessThan', '3'))).toEqual([
      `${at}.value: operator "lessThan" compares numbers: needs a number (got "3"); write numbers without quotes`,
    ]);
    // An unknown path is the one problem reported: the value cannot be judged against it.
    expect(check(history('grant', 'equal', '0'))).toHaveLength(1);
  });

  it('leaves history values alone under decorators that change what is compared', () => {
    expect(check(history('grants', 'swap:in', [1]))).toEqual([]);
    expect(check(history('grants', 'someFact:equal', '1'))).toEqual([]);
    expect(check(history('grants', 'notIn', [0, 1]))).toEqual([]);
  });

  const context = (path: string) => ({ all: [{ fact: 'context', path, operator: 'equal', value: 'app' }] });
  const onContext = (path: string, operator: string, value: unknown) => ({
    all: [{ fact: 'context', path, operator, value }],
  });
  const CONTEXT_PATHS = 'channel, deviceId, appVersion, platform, locale, ip';

  it('accepts every attribute of the request context, and the ip the service adds', () => {
    for (const path of ['channel', '$.deviceId', 'appVersion', 'locale', 'ip'])
      expect(check(context(path))).toEqual([]);
    expect(check(onContext('platform', 'equal', 'ios'))).toEqual([]);
  });

  it('refuses an unknown context path, suggesting the closest one, also in fact comparisons', () => {
    expect(check(context('chanel'))).toEqual([
      `${at}.path: unknown context path "chanel" (did you mean "channel"?); context paths: ${CONTEXT_PATHS}`,
    ]);
    expect(check(context('$.device'))).toEqual([
      `${at}.path: unknown context path "$.device" (did you mean "deviceId"?); context paths: ${CONTEXT_PATHS}`,
    ]);
    expect(check(context('channel.name'))).toEqual([
      `${at}.path: context path "channel.name" does not exist: channel is a single value, with nothing inside it`,
    ]);
    expect(check(leaf('equal', { fact: 'context', path: 'appVersoin' }))).toEqual([
      `${at}.value.path: unknown context path "appVersoin" (did you mean "appVersion"?); context paths: ${CONTEXT_PATHS}`,
    ]);
  });

  it('refuses a value no request can send for a context attribute, and operators that never match text', () => {
    // Each was accepted, and the condition was false (or, negated, true) for every request.
    expect(check(onContext('platform', 'equal', 'nokia'))).toEqual([
      `${at}.value: no request can send this context.platform: the participation API's platform must be one of: ios, android, web, other (got "nokia")`,
    ]);
    expect(check(onContext('$.channel', 'notIn', ['app', 'App']))).toEqual([
      `${at}.value: no request can send this context.channel: the participation API's channel must be 1-32 lower-case letters, digits and hyphens, e.g. app, h5, mini-program (got "App"); write app`,
    ]);
    expect(check(onContext('channel', 'not:equal', 5))).toEqual([
      `${at}.value: no request can send this context.channel: the participation API's channel must be a string (got 5)`,
    ]);
    expect(check(onContext('appVersion', 'greaterThanInclusive', 9))).toEqual([
      `${at}.value: operator "greaterThanInclusive" compares numbers and context.appVersion is text, so it never matches; use equal, in or startsWith`,
    ]);
    expect(check(onContext('channel', 'contains', 'app'))).toEqual([
      `${at}.value: operator "contains" reads a list and context.channel is one text value, so it never matches; use equal, in or startsWith`,
    ]);
  });

  it('accepts the context values a request can send, and leaves decorated operators alone', () => {
    expect(check(onContext('platform', 'in', ['ios', 'android']))).toEqual([]);
    expect(check(onContext('locale', 'notEqual', 'zh-CN'))).toEqual([]);
    expect(check(onContext('ip', 'equal', '203.0.113.9'))).toEqual([]);
    expect(check(onContext('appVersion', 'startsWith', '9.'))).toEqual([]);
    expect(check(onContext('channel', 'swap:in', 'app'))).toEqual([]);
  });

  it('refuses a condition without a path: it would compare the whole map and never be true', () => {
    expect(check(history(undefined))).toEqual([
      `${at}: fact "history" needs a path: one of ${PATHS} (without one it compares the whole history, a map, which is never true)`,
    ]);
    expect(check({ all: [{ fact: 'profile', operator: 'lessThan', value: 7 }] })).toEqual([
      `${at}: fact "profile" needs a path to one of its attributes, e.g. path: age (without one it compares the whole profile, a map, which is never true)`,
    ]);
    expect(check(leaf('equal', { fact: 'context' }))).toEqual([
      `${at}.value: fact "context" needs a path to one of its attributes, e.g. path: channel (without one it compares the whole context, a map, which is never true)`,
    ]);
  });
});
