import { compileCampaign } from '../../../src/rules/compile-campaign';
import {
  CompiledCampaignCache,
  compiledCampaignCache,
  getCompiledCampaign,
} from '../../../src/rules/compiled-campaign-cache';
import { buildFacts } from '../../../src/rules/facts';
import { resolvedCampaign } from './resolved-campaign-fixture';

const newUser = { all: [{ fact: 'profile', path: 'registeredDays', operator: 'lessThan', value: 7 }] };
const app = { all: [{ fact: 'context', path: 'channel', operator: 'equal', value: 'app' }] };

describe('compiled campaign cache (keyed by fingerprint)', () => {
  it('compiles a campaign version once, however often it is asked for', () => {
    const compile = jest.fn(compileCampaign);
    const cache = new CompiledCampaignCache(8, compile);
    const resolved = resolvedCampaign({ 'new-user': newUser });
    const first = cache.get(resolved);
    // The same version, e.g. read back from the ledger as a new object.
    const again = cache.get({ ...resolved, definition: structuredClone(resolved.definition) });
    expect(again).toBe(first);
    expect(compile).toHaveBeenCalledTimes(1);
  });

  it('compiles a new version (new fingerprint) separately', async () => {
    const cache = new CompiledCampaignCache();
    const v1 = cache.get(resolvedCampaign({ rule: newUser }));
    const v2 = cache.get(resolvedCampaign({ rule: app }));
    expect(v2).not.toBe(v1);
    const facts = buildFacts({ profile: { registeredDays: 1 }, context: { channel: 'h5' } });
    await expect(v1.matchSegment(facts)).resolves.not.toBeNull();
    await expect(v2.matchSegment(facts)).resolves.toBeNull();
  });

  it('drops the least recently used version beyond its capacity', () => {
    const compile = jest.fn(compileCampaign);
    const cache = new CompiledCampaignCache(2, compile);
    const a = resolvedCampaign({ a: newUser });
    const b = resolvedCampaign({ b: newUser });
    const c = resolvedCampaign({ c: newUser });
    cache.get(a);
    cache.get(b);
    cache.get(a); // a is now the most recently used
    cache.get(c); // evicts b
    expect(cache.size).toBe(2);
    cache.get(a);
    expect(compile).toHaveBeenCalledTimes(3);
    cache.get(b);
    expect(compile).toHaveBeenCalledTimes(4);
  });

  it('getCompiledCampaign uses the process-wide cache', () => {
    compiledCampaignCache.clear();
    const resolved = resolvedCampaign({ rule: app }, undefined, 'process-wide');
    expect(getCompiledCampaign(resolved)).toBe(getCompiledCampaign(resolved));
    expect(compiledCampaignCache.size).toBe(1);
  });
});
