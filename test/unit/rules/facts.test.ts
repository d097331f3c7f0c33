import { buildFacts, type FactsInput } from '../../../src/rules/facts';

describe('buildFacts: allowlisted facts only (profile, context, history)', () => {
  it('copies profile and context and fills history with counts', () => {
    const facts = buildFacts({
      profile: { gender: 'female', age: 22, interests: ['kids'], address: { city: 'hz' } },
      context: { channel: 'app', appVersion: '8.1.0' },
      history: { participations: 2, grants: 1, grantsToday: 1, rewards: { 'rp-small': 1 } },
    });
    expect({ ...facts.profile }).toEqual({
      gender: 'female',
      age: 22,
      interests: ['kids'],
      address: { city: 'hz' },
    });
    expect({ ...facts.context }).toEqual({ channel: 'app', appVersion: '8.1.0' });
    expect({ ...facts.history, rewards: { ...facts.history.rewards } }).toEqual({
      participations: 2,
      grants: 1,
      grantsToday: 1,
      rewards: { 'rp-small': 1 },
    });
  });

  it('gives a user without history zero counts, and ignores counts that are not non-negative numbers', () => {
    expect({ ...buildFacts({}).history }).toMatchObject({ participations: 0, grants: 0, grantsToday: 0 });
    const history = buildFacts({
      history: { grants: '3', grantsToday: -1, participations: NaN, rewards: { a: 'x' } },
    }).history;
    expect({ ...history, rewards: { ...history.rewards } }).toEqual({
      participations: 0,
      grants: 0,
      grantsToday: 0,
      rewards: { a: 0 },
    });
  });

  it("counts 0 grants of each of the campaign's rewards the history does not list", () => {
    const history = buildFacts({ history: { grants: 1, rewards: { 'rp-small': 1 } } }, [
      'rp-big',
      'rp-small',
    ]).history;
    expect({ ...history.rewards }).toEqual({ 'rp-big': 0, 'rp-small': 1 });
    expect({ ...buildFacts({}, ['rp-big']).history.rewards }).toEqual({ 'rp-big': 0 });
  });

  it('does not share objects with the input', () => {
    const input = { profile: { address: { city: 'hz' }, tags: ['a'] } };
    const facts = buildFacts(input);
    input.profile.address.city = 'bj';
    input.profile.tags.push('b');
    expect(facts.profile['address']).toEqual({ city: 'hz' });
    expect(facts.profile['tags']).toEqual(['a']);
  });

  it('drops inputs outside the allowlist', () => {
    const facts = buildFacts({ profile: { a: 1 }, risk: { score: 99 }, admin: true } as FactsInput);
    expect(Object.keys(facts).sort()).toEqual(['context', 'history', 'profile']);
  });

  it('context can never set profile facts', () => {
    const facts = buildFacts({ context: { profile: { vip: true }, gender: 'female', channel: 'app' } });
    expect({ ...facts.profile }).toEqual({});
    expect(facts.context['profile']).toEqual({ vip: true });
  });

  it('ignores a fact that is inherited rather than the input’s own', () => {
    const input = Object.create({ profile: { vip: true } }) as FactsInput;
    expect({ ...buildFacts(input).profile }).toEqual({});
  });

  it('treats a non-object fact (string, array, number) as empty', () => {
    const facts = buildFacts({ profile: 'vip', context: ['app'], history: 3 });
    expect({ ...facts.profile }).toEqual({});
    expect({ ...facts.context }).toEqual({});
    expect(facts.history.grants).toBe(0);
  });

  it('drops functions and symbols, and nesting deeper than 8 levels', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 12; i++) deep = { next: deep };
    const facts = buildFacts({ profile: { fn: () => 1, sym: Symbol('s'), deep } });
    expect(Object.keys(facts.profile)).toEqual(['deep']);
    expect(JSON.stringify(facts.profile)).not.toContain('leaf');
  });
});

describe('buildFacts: no prototype pollution', () => {
  it('builds null-prototype objects all the way down', () => {
    const facts = buildFacts({ profile: { address: { city: 'hz' } }, context: {}, history: { rewards: {} } });
    expect(Object.getPrototypeOf(facts.profile)).toBeNull();
    expect(Object.getPrototypeOf(facts.profile['address'])).toBeNull();
    expect(Object.getPrototypeOf(facts.context)).toBeNull();
    expect(Object.getPrototypeOf(facts.history)).toBeNull();
    expect(Object.getPrototypeOf(facts.history.rewards)).toBeNull();
  });

  it('drops __proto__, constructor and prototype keys at any depth and pollutes nothing', () => {
    const hostile = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "age": 20,' +
        ' "nested": {"__proto__": {"polluted": true}, "prototype": 1, "ok": 1}}',
    ) as Record<string, unknown>;
    const facts = buildFacts({ profile: hostile, context: hostile, history: { rewards: hostile } });
    expect(Object.keys(facts.profile).sort()).toEqual(['age', 'nested']);
    expect(Object.keys(facts.profile['nested'] as object)).toEqual(['ok']);
    expect(Object.keys(facts.history.rewards).sort()).toEqual(['age', 'nested']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
