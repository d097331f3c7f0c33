import { formatDiagnostic } from '../../../src/definitions/diagnostic';
import { loadDefinitions } from '../../../src/definitions/load-definitions';
import { loadResolvedCampaigns } from '../../../src/definitions/load-resolved-campaigns';
import { REPO_ROOT } from './fixture-paths';

describe("the repository's own campaigns and rules", () => {
  it('load with no errors', async () => {
    const set = await loadDefinitions({ root: REPO_ROOT });
    const errors = set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    expect(errors).toEqual([]);
    expect([...set.campaigns.keys()].sort()).toEqual([
      'city-voucher-drive',
      'double11-red-packet-rain',
      'new-user-coupon-pack',
    ]);
    expect(set.rules.has('new-user-female-18-25')).toBe(true);
  });

  it('resolve every campaign with exactly the rules its segments use', async () => {
    const { resolved } = await loadResolvedCampaigns(REPO_ROOT);
    const byId = new Map(resolved.map((r) => [r.definition.id, r]));
    expect(Object.keys(byId.get('new-user-coupon-pack')?.rules ?? {}).sort()).toEqual([
      'new-user',
      'new-user-female-18-25',
    ]);
    expect(Object.keys(byId.get('double11-red-packet-rain')?.rules ?? {})).toEqual(['new-user']);
    for (const campaign of resolved) expect(campaign.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});
