import type { CampaignDefinition, RuleDefinition } from '../../../src/definitions/campaign-types';
import { resolveCampaign } from '../../../src/definitions/resolve-campaign';
import { campaignDiff } from '../../../src/publishing/campaign-diff';

const campaign: CampaignDefinition = {
  id: 'first-sale',
  name: 'First sale',
  owner: 'growth',
  status: 'active',
  window: { start: '2026-03-01T00:00:00+08:00', end: '2026-03-08T00:00:00+08:00' },
  timezone: 'Asia/Shanghai',
  entry: { activityCode: 'none' },
  rewards: [{ id: 'thanks', type: 'none' }],
  segments: [{ id: 'new', when: 'new-user', rewards: [{ reward: 'thanks', weight: 1 }] }],
  decision: { strategy: 'weighted' },
};
const newUser: RuleDefinition = {
  id: 'new-user',
  conditions: { all: [{ fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 }] },
};

describe('campaignDiff', () => {
  it('shows a never-published campaign as everything its first version would hold, rules included', () => {
    const local = resolveCampaign(campaign, new Map([[newUser.id, newUser]]));
    const diff = campaignDiff(local, null);
    expect(diff).toMatchObject({ campaignId: 'first-sale', activeVersion: null, changed: true });
    expect(diff.changes.map((c) => `${c.kind} ${c.path}`)).toEqual(
      expect.arrayContaining([
        'added id',
        'added rewards',
        'added segments',
        'added window',
        'added rules.new-user',
      ]),
    );
    expect(diff.changes.find((c) => c.path === 'id')).toEqual({
      kind: 'added',
      path: 'id',
      to: 'first-sale',
    });
  });

  it('is unchanged against a version with the same fingerprint', () => {
    const local = resolveCampaign(campaign, new Map([[newUser.id, newUser]]));
    const body = JSON.stringify({ definition: local.definition, rules: local.rules });
    expect(campaignDiff(local, { version: 3, body, fingerprint: local.fingerprint })).toEqual({
      campaignId: 'first-sale',
      activeVersion: 3,
      changed: false,
      changes: [],
    });
  });
});
