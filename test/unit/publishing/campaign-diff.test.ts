import { campaignDiff } from '../../../src/publishing/campaign-diff';
import { resolvedCampaign } from '../rules/resolved-campaign-fixture';

const local = resolvedCampaign(
  { 'new-user': { all: [{ fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 }] } },
  [['new', 'new-user']],
  'first-sale',
);

describe('campaignDiff', () => {
  it('shows a never-published campaign as everything its first version would hold, rules included', () => {
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
    const body = JSON.stringify({ definition: local.definition, rules: local.rules });
    expect(campaignDiff(local, { version: 3, body, fingerprint: local.fingerprint })).toEqual({
      campaignId: 'first-sale',
      activeVersion: 3,
      changed: false,
      changes: [],
    });
  });
});
