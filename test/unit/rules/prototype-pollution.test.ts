import { compileCampaign } from '../../../src/rules/compile-campaign';
import { buildFacts } from '../../../src/rules/facts';
import { RuleCompilationError } from '../../../src/rules/rule-compilation-error';
import { evaluateCondition } from './evaluate-condition';
import { resolvedCampaign } from './resolved-campaign-fixture';

describe('prototype pollution attempts do nothing', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>)['vip'];
    delete (Object.prototype as Record<string, unknown>)['polluted'];
  });

  it.each([
    '__proto__.vip',
    'constructor.prototype.vip',
    'address.__proto__',
    '$.constructor',
    'a.prototype',
  ])('refuses the path %s at compile time', (path) => {
    const compile = () =>
      compileCampaign(
        resolvedCampaign({ r: { all: [{ fact: 'profile', path, operator: 'equal', value: true }] } }),
      );
    expect(compile).toThrow(RuleCompilationError);
    expect(compile).toThrow('is not a plain dotted path');
  });

  it('refuses a forbidden path in a fact comparison too', () => {
    const compile = () =>
      compileCampaign(
        resolvedCampaign({
          r: {
            all: [
              {
                fact: 'profile',
                path: 'a',
                operator: 'equal',
                value: { fact: 'profile', path: '__proto__' },
              },
            ],
          },
        }),
      );
    expect(compile).toThrow(RuleCompilationError);
  });

  it('a hostile profile cannot grant itself a fact through __proto__ or constructor', async () => {
    const hostile = JSON.parse(
      '{"__proto__": {"vip": true}, "constructor": {"prototype": {"vip": true}}, "age": 20}',
    ) as Record<string, unknown>;
    const vip = { fact: 'profile', path: 'vip', operator: 'equal', value: true };
    await expect(evaluateCondition(vip, { profile: hostile, context: hostile })).resolves.toBe(false);
    expect(({} as Record<string, unknown>)['vip']).toBeUndefined();
  });

  it('an already polluted Object.prototype is invisible to rules (own properties only)', async () => {
    (Object.prototype as Record<string, unknown>)['vip'] = true;
    const vip = { fact: 'profile', path: 'vip', operator: 'equal', value: true };
    await expect(evaluateCondition(vip, { profile: { age: 20 } })).resolves.toBe(false);
    await expect(
      evaluateCondition({ ...vip, path: 'address.vip' }, { profile: { address: {} } }),
    ).resolves.toBe(false);
    await expect(evaluateCondition({ ...vip, fact: 'history', path: 'rewards.vip' }, {})).resolves.toBe(
      false,
    );
  });

  it('inherited methods are not facts: toString, hasOwnProperty, an array’s map', async () => {
    const compiled = compileCampaign(
      resolvedCampaign({
        r: {
          any: [
            { fact: 'profile', path: 'toString', operator: 'notEqual', value: 1 },
            { fact: 'profile', path: 'hasOwnProperty', operator: 'notEqual', value: 1 },
            { fact: 'profile', path: 'tags.map', operator: 'notEqual', value: 1 },
          ],
        },
      }),
    );
    const explanation = await compiled.explain(buildFacts({ profile: { tags: ['a'] } }));
    expect(explanation.segment).toBeNull();
    expect(explanation.segments[0]?.conditions.map((c) => c.factValue)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('a decision never writes to Object.prototype', async () => {
    const compiled = compileCampaign(
      resolvedCampaign({ r: { all: [{ fact: 'profile', path: 'a.b', operator: 'equal', value: 1 }] } }),
    );
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": 1}, "a": {"__proto__": {"polluted": 1}, "b": 1}}',
    ) as unknown;
    await expect(compiled.matchSegment(buildFacts({ profile: hostile }))).resolves.not.toBeNull();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
