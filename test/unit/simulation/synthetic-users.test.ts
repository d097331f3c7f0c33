import { seededRandom } from '../../../src/decision/random';
import type { RuleDefinition } from '../../../src/definitions/campaign-types';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import { dryRun } from '../../../src/simulation/dry-run';
import { collectDomains, syntheticUserFactory } from '../../../src/simulation/synthetic-users';
import { campaign, repoCampaign, REPO_CAMPAIGNS, RULES } from './simulation-fixtures';

const crowdOf = (seed: string, n: number) => {
  const make = syntheticUserFactory(
    campaign({ entry: { activityCode: 'none', channels: ['app', 'h5'] } }),
    RULES,
    seededRandom(seed),
  );
  return Array.from({ length: n }, (_, i) => make(i));
};

describe('syntheticUserFactory', () => {
  it('gives the same users for the same seed', () => {
    expect(crowdOf('users', 300)).toEqual(crowdOf('users', 300));
  });

  it('gives other users for another seed', () => {
    expect(crowdOf('other', 300)).not.toEqual(crowdOf('users', 300));
  });

  it('numbers users synthetic-1, synthetic-2, … so every id is distinct', () => {
    const users = crowdOf('ids', 1000);
    expect(users.slice(0, 3).map((u) => u.userId)).toEqual(['synthetic-1', 'synthetic-2', 'synthetic-3']);
    expect(new Set(users.map((u) => u.userId)).size).toBe(1000);
  });

  it('draws channels from the campaign, with a few outside it', () => {
    const channels = new Set(crowdOf('channels', 2000).map((u) => u.context['channel']));
    expect([...channels].sort()).toEqual(['app', 'h5', 'web']);
  });

  it('leaves an attribute out now and then, so rules meet missing facts', () => {
    const users = crowdOf('missing', 2000);
    const without = users.filter((u) => !('registeredDays' in u.profile)).length;
    expect(without).toBeGreaterThan(0);
    expect(without).toBeLessThan(300);
  });

  it('draws numbers on both sides of every threshold the rules name', () => {
    const days = crowdOf('days', 2000)
      .map((u) => u.profile['registeredDays'])
      .filter((d): d is number => typeof d === 'number');
    expect(days.some((d) => d < 7)).toBe(true);
    expect(days.some((d) => d >= 7)).toBe(true);
    expect(days.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
  });
});

describe('syntheticUserFactory: a campaign with minAccountAgeDays', () => {
  const aged = (rules: readonly RuleDefinition[], seed: string) => {
    const make = syntheticUserFactory(
      campaign({ protection: { velocity: { minAccountAgeDays: 3 } } }),
      rules,
      seededRandom(seed),
    );
    return Array.from({ length: 2000 }, (_, i) => make(i).profile['registeredDays']);
  };

  it('gives every user an account age when no rule reads one: a tenth below the minimum, the rest up to two years above', () => {
    const days = aged([], 'age');
    expect(days.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 733)).toBe(true);
    const young = days.filter((d) => (d as number) < 3).length;
    expect(young).toBeGreaterThan(120);
    expect(young).toBeLessThan(280);
  });

  it("never leaves the age out when rules read it, and draws on both sides of the rules' thresholds and the minimum", () => {
    const days = aged(RULES, 'age-rules');
    expect(days.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)).toBe(true);
    const numbers = days as number[];
    expect(numbers.some((d) => d < 3)).toBe(true);
    expect(numbers.some((d) => d >= 3 && d < 7)).toBe(true);
    expect(numbers.some((d) => d >= 7)).toBe(true);
  });

  it('draws nothing extra for a campaign without the check: the same seed gives the same users as before', () => {
    const make = (protection?: object) =>
      syntheticUserFactory(campaign(protection ? { protection } : {}), RULES, seededRandom('same'));
    const plain = make();
    const devicesOnly = make({ velocity: { maxAccountsPerDevice: 2, minAccountAgeDays: 0 } });
    for (let i = 0; i < 50; i++) expect(devicesOnly(i)).toEqual(plain(i));
  });
});

describe('collectDomains', () => {
  it('collects the values each profile and context path is compared with; history is not generated', () => {
    const rules: RuleDefinition[] = [
      {
        id: 'a',
        conditions: {
          all: [
            { fact: 'profile', path: '$.age', operator: 'between', value: [25, 18] },
            { fact: 'profile', path: 'city', operator: 'in', value: ['sh', 'bj', 'sh'] },
            {
              any: [
                { fact: 'profile', path: 'interests', operator: 'containsAny', value: ['kids'] },
                { not: { fact: 'context', path: 'channel', operator: 'equal', value: 'app' } },
              ],
            },
            { fact: 'history', path: 'grants', operator: 'equal', value: 0 },
          ],
        },
      },
      {
        id: 'b',
        conditions: {
          all: [
            { fact: 'profile', path: 'age', operator: 'greaterThan', value: 55 },
            { fact: 'profile', path: 'tags', operator: 'someFact:equal', value: 'vip' },
          ],
        },
      },
    ];
    expect(Object.fromEntries(collectDomains(rules))).toEqual({
      'profile.age': { numbers: [18, 25, 55], strings: [], list: false },
      'profile.city': { numbers: [], strings: ['sh', 'bj'], list: false },
      'profile.interests': { numbers: [], strings: ['kids'], list: true },
      'context.channel': { numbers: [], strings: ['app'], list: false },
      'profile.tags': { numbers: [], strings: ['vip'], list: true },
    });
  });
});

describe.each(REPO_CAMPAIGNS)('5,000 synthetic users of %s', (id) => {
  it.each(['ci', 'seed-2', 'seed-3'])('reach every segment (seed %s)', async (seed) => {
    const resolved = await repoCampaign(id);
    const random = seededRandom(seed);
    const make = syntheticUserFactory(resolved.definition, Object.values(resolved.rules), random);
    const report = await dryRun({
      compiled: compileCampaign(resolved),
      users: Array.from({ length: 5000 }, (_, i) => make(i)),
      total: 5000,
      at: null,
      random,
      distinctUsers: true,
    });
    expect(report.unreached).toEqual([]);
    for (const segment of resolved.definition.segments) {
      expect(report.segments[segment.id]).toBeGreaterThanOrEqual(20);
    }
  });
});
