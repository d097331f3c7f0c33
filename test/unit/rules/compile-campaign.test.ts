import * as jre from 'json-rules-engine';
import { Almanac } from 'json-rules-engine';
import type { Condition } from '../../../src/definitions/campaign-types';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import { buildFacts } from '../../../src/rules/facts';
import { RuleCompilationError } from '../../../src/rules/rule-compilation-error';
import { evaluateCondition } from './evaluate-condition';
import { resolvedCampaign } from './resolved-campaign-fixture';

const female = { fact: 'profile', path: 'gender', operator: 'equal', value: 'female' };
const age18to25 = { fact: 'profile', path: 'age', operator: 'between', value: [18, 25] };
const newUser = { fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 };
const app = { fact: 'context', path: 'channel', operator: 'equal', value: 'app' };
const noGrants = { fact: 'history', path: 'grants', operator: 'equal', value: 0 };

const alice = { profile: { gender: 'female', age: 22, registeredDays: 1 }, context: { channel: 'app' } };
const bob = { profile: { gender: 'male', age: 40, registeredDays: 400 }, context: { channel: 'h5' } };

describe('nested all / any / not', () => {
  // female AND (app OR NOT (new AND 18-25))
  const tree: Condition = { all: [female, { any: [app, { not: { all: [newUser, age18to25] } }] }] };
  const profile = (registeredDays: number, age: number, gender = 'female') => ({
    gender,
    age,
    registeredDays,
  });

  it.each([
    ['female on app', { profile: profile(1, 22), context: { channel: 'app' } }, true],
    ['female on h5, new and 18-25', { profile: profile(1, 22), context: { channel: 'h5' } }, false],
    ['female on h5, not new', { profile: profile(30, 22), context: { channel: 'h5' } }, true],
    ['female on h5, new but 40', { profile: profile(1, 40), context: { channel: 'h5' } }, true],
    ['female, no context, new and 18-25', { profile: profile(1, 22) }, false],
    ['male on app', { profile: profile(1, 22, 'male'), context: { channel: 'app' } }, false],
    ['no gender on app', { profile: { age: 22 }, context: { channel: 'app' } }, false],
  ])('%s → %p', async (_name, input, expected) => {
    await expect(evaluateCondition(tree, input)).resolves.toBe(expected);
  });

  it('any is true when one child is, all only when every child is', async () => {
    await expect(evaluateCondition({ any: [female, app] }, bob)).resolves.toBe(false);
    await expect(
      evaluateCondition({ any: [female, app] }, { ...bob, context: { channel: 'app' } }),
    ).resolves.toBe(true);
    await expect(
      evaluateCondition({ all: [female, app] }, { ...alice, context: { channel: 'h5' } }),
    ).resolves.toBe(false);
    await expect(evaluateCondition({ all: [female, app, noGrants] }, alice)).resolves.toBe(true);
  });

  it('an empty all or any is true, as in json-rules-engine', async () => {
    await expect(evaluateCondition({ all: [] }, bob)).resolves.toBe(true);
    await expect(evaluateCondition({ any: [] }, bob)).resolves.toBe(true);
    await expect(evaluateCondition({ not: { any: [] } }, bob)).resolves.toBe(false);
  });

  it('a double not is the condition itself', async () => {
    await expect(evaluateCondition({ not: { not: female } }, alice)).resolves.toBe(true);
    await expect(evaluateCondition({ not: { not: female } }, bob)).resolves.toBe(false);
  });

  it('DESIGN.md: `not` inverts the result of its subtree, so not over a missing fact is true', async () => {
    // The leaf is false (a condition whose fact or path is missing is false); `not` inverts it.
    await expect(
      evaluateCondition(
        { not: { fact: 'profile', path: 'vip', operator: 'equal', value: true } },
        { profile: {} },
      ),
    ).resolves.toBe(true);
    await expect(
      evaluateCondition(
        { not: { fact: 'profile', path: 'vip', operator: 'notEqual', value: true } },
        { profile: {} },
      ),
    ).resolves.toBe(true);
  });

  it('accepts a root leaf (wrapped in all)', async () => {
    await expect(evaluateCondition(female, alice)).resolves.toBe(true);
    await expect(evaluateCondition(female, bob)).resolves.toBe(false);
  });
});

describe('fact comparison (value: { fact, path })', () => {
  const withinQuota = {
    fact: 'history',
    path: 'grants',
    operator: 'lessThan',
    value: { fact: 'profile', path: 'quota' },
  };

  it('compares against another fact', async () => {
    await expect(
      evaluateCondition(withinQuota, { profile: { quota: 3 }, history: { grants: 2 } }),
    ).resolves.toBe(true);
    await expect(
      evaluateCondition(withinQuota, { profile: { quota: 2 }, history: { grants: 2 } }),
    ).resolves.toBe(false);
    const sameCity = {
      fact: 'context',
      path: 'city',
      operator: 'equal',
      value: { fact: 'profile', path: 'address.city' },
    };
    await expect(
      evaluateCondition(sameCity, { profile: { address: { city: 'hz' } }, context: { city: 'hz' } }),
    ).resolves.toBe(true);
  });

  it('DESIGN.md: a fact-comparison value whose fact or path is missing is false, notEqual included', async () => {
    await expect(evaluateCondition(withinQuota, { profile: {}, history: { grants: 0 } })).resolves.toBe(
      false,
    );
    const differentCity = {
      fact: 'context',
      path: 'city',
      operator: 'notEqual',
      value: { fact: 'profile', path: 'city' },
    };
    await expect(evaluateCondition(differentCity, { profile: {}, context: { city: 'hz' } })).resolves.toBe(
      false,
    );
    await expect(
      evaluateCondition(differentCity, { profile: { city: 'bj' }, context: { city: 'hz' } }),
    ).resolves.toBe(true);
  });
});

describe('first match wins', () => {
  const rules = {
    'new-female': { all: [female, age18to25, newUser] },
    'new-user': { all: [newUser] },
    'app-user': { all: [app] },
  };
  const compiled = compileCampaign(
    resolvedCampaign(rules, [
      ['new-female', 'new-female'],
      ['new-users', 'new-user'],
      ['app', 'app-user'],
      ['everyone'],
    ]),
  );

  it.each([
    ['the first segment when several match', alice, 'new-female'],
    [
      'a later segment when earlier ones fail',
      { profile: { gender: 'male', registeredDays: 1 }, context: { channel: 'app' } },
      'new-users',
    ],
    ['the third', { profile: { registeredDays: 100 }, context: { channel: 'app' } }, 'app'],
    ['the catch-all when no rule matches', bob, 'everyone'],
    ['the catch-all for an empty profile', {}, 'everyone'],
  ])('gives %s', async (_name, input, expected) => {
    await expect(compiled.matchSegment(buildFacts(input))).resolves.toMatchObject({ id: expected });
    await expect(compiled.explain(buildFacts(input))).resolves.toMatchObject({ segment: expected });
  });

  it('returns the segment definition itself, rewards included', async () => {
    const segment = await compiled.matchSegment(buildFacts(alice));
    expect(segment).toBe(compiled.resolved.definition.segments[0]);
  });

  it('gives null when no segment matches and there is no catch-all', async () => {
    const noCatchAll = compileCampaign(resolvedCampaign({ 'new-user': { all: [newUser] } }));
    await expect(noCatchAll.matchSegment(buildFacts(bob))).resolves.toBeNull();
    await expect(noCatchAll.explain(buildFacts(bob))).resolves.toMatchObject({ segment: null });
  });

  it('a catch-all before other segments takes everyone', async () => {
    const catchAllFirst = compileCampaign(
      resolvedCampaign(rules, [['everyone'], ['new-female', 'new-female']]),
    );
    await expect(catchAllFirst.matchSegment(buildFacts(alice))).resolves.toMatchObject({ id: 'everyone' });
  });

  it('stops at the first matching segment and short-circuits all/any (fewer fact reads)', async () => {
    const reads = jest.spyOn(Almanac.prototype, 'factValue');
    try {
      await compiled.matchSegment(buildFacts(alice));
      expect(reads).toHaveBeenCalledTimes(3); // the three conditions of new-female, nothing after it
      reads.mockClear();
      await compiled.matchSegment(buildFacts(bob));
      expect(reads).toHaveBeenCalledTimes(3); // gender fails new-female; registeredDays; channel; then catch-all
    } finally {
      reads.mockRestore();
    }
  });
});

describe('explain', () => {
  const compiled = compileCampaign(
    resolvedCampaign(
      {
        'new-female': { all: [female, age18to25, newUser] },
        'app-or-new': { any: [app, { not: newUser }] },
        quota: {
          all: [
            {
              fact: 'history',
              path: 'grants',
              operator: 'lessThan',
              value: { fact: 'profile', path: 'quota' },
            },
          ],
        },
      },
      [['new-female', 'new-female'], ['app-or-new', 'app-or-new'], ['quota', 'quota'], ['everyone']],
    ),
  );

  it('evaluates every segment and records every leaf condition, even after the first match', async () => {
    const explanation = await compiled.explain(
      buildFacts({
        profile: { gender: 'male', age: 22, registeredDays: 1, quota: 1 },
        context: { channel: 'app' },
      }),
    );
    expect(explanation).toEqual({
      segment: 'app-or-new',
      segments: [
        {
          segment: 'new-female',
          rule: 'new-female',
          matched: false,
          conditions: [
            {
              rule: 'new-female',
              path: 'all[0]',
              fact: 'profile',
              factPath: 'gender',
              operator: 'equal',
              value: 'female',
              factValue: 'male',
              result: false,
            },
            {
              rule: 'new-female',
              path: 'all[1]',
              fact: 'profile',
              factPath: 'age',
              operator: 'between',
              value: [18, 25],
              factValue: 22,
              result: true,
            },
            {
              rule: 'new-female',
              path: 'all[2]',
              fact: 'profile',
              factPath: 'registeredDays',
              operator: 'lessThan',
              value: 7,
              factValue: 1,
              result: true,
            },
          ],
        },
        {
          segment: 'app-or-new',
          rule: 'app-or-new',
          matched: true,
          conditions: [
            {
              rule: 'app-or-new',
              path: 'any[0]',
              fact: 'context',
              factPath: 'channel',
              operator: 'equal',
              value: 'app',
              factValue: 'app',
              result: true,
            },
            {
              rule: 'app-or-new',
              path: 'any[1].not',
              fact: 'profile',
              factPath: 'registeredDays',
              operator: 'lessThan',
              value: 7,
              factValue: 1,
              result: true,
            },
          ],
        },
        {
          segment: 'quota',
          rule: 'quota',
          matched: true,
          conditions: [
            {
              rule: 'quota',
              path: 'all[0]',
              fact: 'history',
              factPath: 'grants',
              operator: 'lessThan',
              value: { fact: 'profile', path: 'quota' },
              resolvedValue: 1,
              factValue: 0,
              result: true,
            },
          ],
        },
        { segment: 'everyone', rule: null, matched: true, conditions: [] },
      ],
    });
  });

  it('reports a missing fact path as factValue undefined and result false', async () => {
    const explanation = await compiled.explain(buildFacts({ profile: {} }));
    expect(explanation.segments[0]?.conditions.map((c) => [c.factValue, c.result])).toEqual([
      [undefined, false],
      [undefined, false],
      [undefined, false],
    ]);
    expect(explanation.segments[2]?.conditions[0]).toMatchObject({ resolvedValue: undefined, result: false });
  });

  it('agrees with matchSegment', async () => {
    for (const input of [alice, bob, {}, { profile: { quota: 5 } }]) {
      const facts = buildFacts(input);
      const [matched, explained] = await Promise.all([compiled.matchSegment(facts), compiled.explain(facts)]);
      expect(explained.segment).toBe(matched?.id ?? null);
    }
  });
});

describe('one engine per compiled campaign, reused', () => {
  it('builds one Engine at compile time and never builds, changes, runs or stops one per decision', async () => {
    const resolved = resolvedCampaign({ 'new-user': { all: [newUser] }, app: { all: [app] } }, [
      ['new-user', 'new-user'],
      ['app', 'app'],
      ['everyone'],
    ]);
    const RealEngine = jre.Engine;
    const construct = jest.spyOn(jre, 'Engine').mockImplementation((...args) => new RealEngine(...args));
    const addRule = jest.spyOn(RealEngine.prototype, 'addRule');
    const addOperator = jest.spyOn(RealEngine.prototype, 'addOperator');
    const run = jest.spyOn(RealEngine.prototype, 'run');
    const stop = jest.spyOn(RealEngine.prototype, 'stop');
    try {
      const compiled = compileCampaign(resolved);
      expect(construct).toHaveBeenCalledTimes(1);
      expect(construct.mock.calls[0]?.[1]).toMatchObject({
        allowUndefinedFacts: true,
        replaceFactsInEventParams: false,
      });
      expect(addRule).toHaveBeenCalledTimes(2); // one Rule per segment with `when`
      const operatorsAtCompile = addOperator.mock.calls.length;
      for (let i = 0; i < 50; i++) {
        await compiled.matchSegment(buildFacts(i % 2 === 0 ? alice : bob));
        await compiled.explain(buildFacts(bob));
      }
      expect(construct).toHaveBeenCalledTimes(1);
      expect(addRule).toHaveBeenCalledTimes(2);
      expect(addOperator).toHaveBeenCalledTimes(operatorsAtCompile);
      expect(run).not.toHaveBeenCalled();
      expect(stop).not.toHaveBeenCalled();
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('keeps decisions independent when hundreds run concurrently on the same engine', async () => {
    const compiled = compileCampaign(
      resolvedCampaign({ 'new-female': { all: [female, age18to25, newUser] } }, [
        ['new-female', 'new-female'],
        ['everyone'],
      ]),
    );
    const inputs = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? alice : i % 3 === 1 ? bob : {}));
    const results = await Promise.all(
      inputs.map(async (input) => {
        const facts = buildFacts(input);
        const [segment, explanation] = await Promise.all([
          compiled.matchSegment(facts),
          compiled.explain(facts),
        ]);
        return [segment?.id, explanation.segment, explanation.segments[0]?.conditions[0]?.factValue];
      }),
    );
    results.forEach((result, i) => {
      const expected =
        i % 3 === 0
          ? ['new-female', 'new-female', 'female']
          : ['everyone', 'everyone', i % 3 === 1 ? 'male' : undefined];
      expect(result).toEqual(expected);
    });
  });

  it('neither mutates nor depends on the resolved campaign it was given', async () => {
    const resolved = resolvedCampaign({ 'new-female': { all: [female, age18to25, { not: newUser }] } });
    const before = JSON.stringify(resolved);
    const compiled = compileCampaign(deepFreeze(resolved));
    await compiled.matchSegment(buildFacts(alice));
    await compiled.explain(buildFacts(alice));
    expect(JSON.stringify(resolved)).toBe(before);
  });
});

describe('compile-time errors (never per decision)', () => {
  const compile = (conditions: Condition) => () => compileCampaign(resolvedCampaign({ r: conditions }));

  it.each<[string, Condition, string]>([
    [
      'an unknown fact',
      { all: [{ fact: 'risk', path: 'score', operator: 'lessThan', value: 80 }] },
      'rule "r" at all[0]: unknown fact "risk"',
    ],
    [
      'an unknown operator',
      { all: [{ fact: 'profile', path: 'age', operator: 'regex', value: '.*' }] },
      'rule "r" at all[0]: unknown operator "regex"',
    ],
    [
      'an unknown decorator',
      { any: [{ fact: 'profile', path: 'age', operator: 'maybe:equal', value: 1 }] },
      'rule "r" at any[0]: unknown operator "maybe:equal"',
    ],
    [
      'a JSONPath filter',
      { all: [{ fact: 'profile', path: '$.tags[?(@.x)]', operator: 'equal', value: 1 }] },
      'is not a plain dotted path',
    ],
    [
      'a prototype path',
      { all: [{ fact: 'profile', path: '__proto__.x', operator: 'equal', value: 1 }] },
      'is not a plain dotted path',
    ],
    [
      'an unknown fact in a fact comparison',
      { all: [{ fact: 'profile', path: 'a', operator: 'equal', value: { fact: 'env', path: 'x' } }] },
      'at all[0].value: unknown fact "env"',
    ],
    [
      'a bad nested node',
      { all: [{ not: { any: 'x' } } as unknown as Condition] },
      'rule "r" at all[0].not.any: must be a list',
    ],
  ])('refuses %s', (_name, conditions, message) => {
    expect(compile(conditions)).toThrow(RuleCompilationError);
    expect(compile(conditions)).toThrow(message);
  });

  it('refuses a segment naming an unknown rule', () => {
    expect(() => compileCampaign(resolvedCampaign({}, [['s', 'ghost']]))).toThrow(
      'rule "ghost": unknown rule named by segment "s"',
    );
  });
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
