/**
 * Hostile input: jsonpath-plus (pulled in by json-rules-engine for `path`) had code-injection CVEs before
 * 10.3.0/10.4.0. This proves both defences: the installed version is at least 10.4.0, AND pocket never calls
 * it — rules are compiled with pocket's own plain dotted-path resolver, so a JSONPath expression in a path
 * never reaches jsonpath-plus (such paths are refused at load anyway).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import { buildFacts } from '../../../src/rules/facts';
import { resolvedCampaign } from '../rules/resolved-campaign-fixture';

jest.mock('jsonpath-plus', () => {
  const actual = jest.requireActual<typeof import('jsonpath-plus')>('jsonpath-plus');
  return { ...actual, JSONPath: jest.fn(actual.JSONPath) };
});

// Loaded after the mock is registered, as json-rules-engine loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JSONPath } = require('jsonpath-plus') as { JSONPath: jest.Mock };

function versionAtLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const have = parts[i] ?? 0;
    const want = minimum[i] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

describe('jsonpath-plus', () => {
  it('the installed jsonpath-plus (the one json-rules-engine resolves) is at least 10.4.0', () => {
    const fromEngine = require.resolve('jsonpath-plus/package.json', {
      paths: [join(require.resolve('json-rules-engine'), '..')],
    });
    const { version } = JSON.parse(readFileSync(fromEngine, 'utf8')) as { version: string };
    expect(versionAtLeast(version, [10, 4, 0])).toBe(true);
    expect(versionAtLeast('10.3.9', [10, 4, 0])).toBe(false);
  });

  it('is never called: rule paths go through pocket’s own resolver, on the hot path and in explain', async () => {
    const compiled = compileCampaign(
      resolvedCampaign({
        vip: {
          all: [
            { fact: 'profile', path: '$.tier.level', operator: 'greaterThanInclusive', value: 3 },
            { fact: 'context', path: 'channel', operator: 'equal', value: 'app' },
            {
              fact: 'profile',
              path: '$.age',
              operator: 'lessThan',
              value: { fact: 'profile', path: '$.limit' },
            },
          ],
        },
      }),
    );
    const facts = buildFacts({
      profile: { tier: { level: 4 }, age: 20, limit: 30 },
      context: { channel: 'app' },
    });
    expect((await compiled.matchSegment(facts))?.id).toBe('vip');
    expect((await compiled.explain(facts)).segment).toBe('vip');
    expect(JSONPath).not.toHaveBeenCalled();
  });

  it('the spy is live: json-rules-engine’s default resolver would call it', async () => {
    const { Engine } = await import('json-rules-engine');
    const engine = new Engine([
      {
        conditions: { all: [{ fact: 'p', path: '$.a', operator: 'equal', value: 1 }] },
        event: { type: 'x' },
      },
    ]);
    await engine.run({ p: { a: 1 } });
    expect(JSONPath).toHaveBeenCalled();
  });
});
