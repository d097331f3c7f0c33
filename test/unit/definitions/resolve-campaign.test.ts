import { createHash } from 'crypto';
import type { CampaignDefinition, RuleDefinition } from '../../../src/definitions/campaign-types';
import { resolveCampaign, resolvedFromCanonical } from '../../../src/definitions/resolve-campaign';

const campaign: CampaignDefinition = {
  id: 'spring-sale',
  name: 'Spring sale',
  owner: 'growth',
  status: 'active',
  window: { start: '2026-03-01T00:00:00+08:00', end: '2026-03-08T00:00:00+08:00' },
  timezone: 'Asia/Shanghai',
  entry: { activityCode: 'none', channels: ['app', 'h5'] },
  rewards: [
    { id: 'rp', type: 'red_packet', amount: { min: 10, max: 100 }, stock: 5 },
    { id: 'thanks', type: 'none' },
  ],
  segments: [
    { id: 'new', when: 'new-user', rewards: [{ reward: 'rp', weight: 1 }] },
    { id: 'everyone', rewards: [{ reward: 'thanks', weight: 1 }] },
  ],
  decision: { strategy: 'weighted', fallback: 'thanks' },
};

const newUser: RuleDefinition = {
  id: 'new-user',
  conditions: { all: [{ fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 }] },
};
const unused: RuleDefinition = {
  id: 'unused',
  conditions: { all: [{ fact: 'context', path: 'channel', operator: 'equal', value: 'app' }] },
};
const rules = new Map([
  ['new-user', newUser],
  ['unused', unused],
]);

/** The same data with every object's keys in reverse order, at every depth. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe('resolveCampaign', () => {
  it('keeps only the rules the segments reference', () => {
    expect(resolveCampaign(campaign, rules).rules).toEqual({ 'new-user': newUser });
  });

  it('fingerprints the canonical JSON with sha256', () => {
    const resolved = resolveCampaign(campaign, rules);
    expect(resolved.canonical.startsWith('{"definition":{"decision":{"fallback":"thanks"')).toBe(true);
    expect(JSON.stringify(JSON.parse(resolved.canonical))).toBe(resolved.canonical); // no whitespace
    expect(resolved.fingerprint).toBe(createHash('sha256').update(resolved.canonical).digest('hex'));
  });

  it('gives the same fingerprint whatever the key order', () => {
    const reordered = reverseKeys(campaign) as CampaignDefinition;
    const reorderedRules = new Map([...rules].map(([id, rule]) => [id, reverseKeys(rule) as RuleDefinition]));
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(campaign));
    expect(resolveCampaign(reordered, reorderedRules).fingerprint).toBe(
      resolveCampaign(campaign, rules).fingerprint,
    );
  });

  it('changes the fingerprint when any value changes, in the campaign or in a referenced rule', () => {
    const base = resolveCampaign(campaign, rules).fingerprint;
    const richer = { ...campaign, rewards: [{ ...campaign.rewards[0], stock: 6 }, campaign.rewards[1]] };
    expect(resolveCampaign(richer as CampaignDefinition, rules).fingerprint).not.toBe(base);
    const stricter = new Map(rules).set('new-user', {
      ...newUser,
      conditions: { all: [{ fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 3 }] },
    });
    expect(resolveCampaign(campaign, stricter).fingerprint).not.toBe(base);
  });

  it('does not change when an unreferenced rule changes', () => {
    const other = new Map(rules).set('unused', { ...unused, description: 'changed' });
    expect(resolveCampaign(campaign, other).fingerprint).toBe(resolveCampaign(campaign, rules).fingerprint);
  });

  it('shares no objects with its input', () => {
    const resolved = resolveCampaign(campaign, rules);
    resolved.definition.segments[0]!.rewards[0]!.weight = 99;
    expect(campaign.segments[0]!.rewards[0]!.weight).toBe(1);
  });

  it('throws when a referenced rule is missing', () => {
    expect(() => resolveCampaign(campaign, new Map())).toThrow(
      'campaign "spring-sale": rule "new-user" is not defined',
    );
  });
});

describe('resolvedFromCanonical', () => {
  it('round-trips a resolved campaign and recomputes its fingerprint', () => {
    const resolved = resolveCampaign(campaign, rules);
    expect(resolvedFromCanonical(resolved.canonical)).toEqual(resolved);
  });

  it('re-canonicalizes text that was stored with other key order or whitespace', () => {
    const resolved = resolveCampaign(campaign, rules);
    const pretty = JSON.stringify(reverseKeys(JSON.parse(resolved.canonical)), null, 2);
    const back = resolvedFromCanonical(pretty);
    expect(back.canonical).toBe(resolved.canonical);
    expect(back.fingerprint).toBe(resolved.fingerprint);
  });

  it('refuses JSON that is not a resolved campaign', () => {
    expect(() => resolvedFromCanonical('[1]')).toThrow('must be an object with definition and rules');
    expect(() => resolvedFromCanonical('{"definition":{}}')).toThrow(
      'must be an object with definition and rules',
    );
  });
});
