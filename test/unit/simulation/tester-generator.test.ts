import type { Condition } from '../../../src/definitions/campaign-types';
import { seededRandom } from '../../../src/decision/random';
import { accountAgeCheck } from '../../../src/protection/fraud-decisions';
import { compileCampaign } from '../../../src/rules/compile-campaign';
import { solveCondition } from '../../../src/simulation/condition-solver';
import { factsOf } from '../../../src/simulation/evaluate-participant';
import { generateTesters, TesterGenerationError } from '../../../src/simulation/tester-generator';
import { resolvedCampaign, type SegmentSpec } from '../rules/resolved-campaign-fixture';

const leaf = (path: string, operator: string, value: unknown, fact = 'profile'): Condition => ({
  fact,
  path,
  operator,
  value,
});

/** new-female-18-25 before new-users before everyone: the order that makes "first match wins" matter. */
const RULES: Record<string, Condition> = {
  'new-female': {
    all: [
      leaf('gender', 'equal', 'female'),
      leaf('age', 'between', [18, 25]),
      leaf('registeredDays', 'lessThan', 7),
    ],
  },
  'new-user': { all: [leaf('registeredDays', 'lessThan', 7)] },
  families: {
    all: [
      leaf('age', 'greaterThan', 30),
      leaf('city', 'in', ['hz', 'sh']),
      leaf('interests', 'containsAny', ['kids', 'home']),
      { not: leaf('tags', 'contains', 'banned') },
    ],
  },
  'app-only': { all: [leaf('channel', 'equal', 'app', 'context'), leaf('vip', 'equal', true)] },
  returning: { all: [leaf('grants', 'greaterThan', 0, 'history')] },
  seniors: { any: [leaf('age', 'greaterThanInclusive', 55), leaf('tags', 'someFact:equal', 'senior')] },
};

const SEGMENTS: SegmentSpec[] = [
  ['new-female', 'new-female'],
  ['new-users', 'new-user'],
  ['families', 'families'],
  ['app-vips', 'app-only'],
  ['returning', 'returning'],
  ['seniors', 'seniors'],
  ['everyone'],
];

const compiled = compileCampaign(resolvedCampaign(RULES, SEGMENTS));

async function landing(profile: Record<string, unknown>, context: Record<string, unknown> = {}) {
  return (await compiled.matchSegment(factsOf({ userId: 't', profile, context })))?.id ?? null;
}

describe('generateTesters', () => {
  it.each(['new-female', 'new-users', 'families', 'app-vips', 'seniors', 'everyone'])(
    'every tester generated for %s lands there (first match wins)',
    async (segmentId) => {
      const testers = await generateTesters({
        compiled,
        segmentId,
        count: 5,
        random: seededRandom(`seg-${segmentId}`),
        takenIds: new Set(),
      });
      expect(testers).toHaveLength(5);
      for (const t of testers)
        expect([t.userId, await landing(t.profile, t.context)]).toEqual([t.userId, segmentId]);
    },
  );

  it('new-users testers never satisfy the earlier new-female rule', async () => {
    const testers = await generateTesters({
      compiled,
      segmentId: 'new-users',
      count: 20,
      random: seededRandom(1),
      takenIds: new Set(),
    });
    for (const t of testers) {
      const p = t.profile;
      const female =
        p['gender'] === 'female' && typeof p['age'] === 'number' && p['age'] >= 18 && p['age'] <= 25;
      expect([t.userId, female]).toEqual([t.userId, false]);
      expect(p['registeredDays']).toBeLessThan(7);
    }
  });

  it('keeps the request context a context-reading segment needs, and none otherwise', async () => {
    const [vip] = await generateTesters({
      compiled,
      segmentId: 'app-vips',
      count: 1,
      random: seededRandom(2),
      takenIds: new Set(),
    });
    expect(vip?.context).toEqual({ channel: 'app' });
    expect(await landing(vip?.profile ?? {})).not.toBe('app-vips');
    const [female] = await generateTesters({
      compiled,
      segmentId: 'new-female',
      count: 1,
      random: seededRandom(2),
      takenIds: new Set(),
    });
    expect(female?.context).toEqual({});
  });

  it('names testers after the segment, skipping ids already taken', async () => {
    const testers = await generateTesters({
      compiled,
      segmentId: 'families',
      count: 3,
      random: seededRandom(3),
      takenIds: new Set(['qa-families-1', 'qa-families-3']),
    });
    expect(testers.map((t) => t.userId)).toEqual(['qa-families-2', 'qa-families-4', 'qa-families-5']);
    const custom = await generateTesters({
      compiled,
      segmentId: 'families',
      count: 1,
      random: seededRandom(3),
      takenIds: new Set(),
      prefix: 'qa-fam',
    });
    expect(custom[0]?.userId).toBe('qa-fam-1');
  });

  it('is reproducible with a seed', async () => {
    const run = () =>
      generateTesters({
        compiled,
        segmentId: 'seniors',
        count: 4,
        random: seededRandom('same'),
        takenIds: new Set(),
      });
    expect(await run()).toEqual(await run());
  });

  it('fails clearly for a segment that needs history, one hidden behind a catch-all, and an unknown one', async () => {
    await expect(
      generateTesters({
        compiled,
        segmentId: 'returning',
        count: 1,
        random: seededRandom(4),
        takenIds: new Set(),
        attemptsPerTester: 50,
      }),
    ).rejects.toThrow(/no synthetic profile reached segment "returning".*in 50 attempts/);
    const hidden = compileCampaign(resolvedCampaign(RULES, [['everyone'], ['new-users', 'new-user']]));
    await expect(
      generateTesters({
        compiled: hidden,
        segmentId: 'new-users',
        count: 1,
        random: seededRandom(4),
        takenIds: new Set(),
        attemptsPerTester: 40,
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/candidates landed in everyone: 40/) as unknown,
      code: 'segment_unreachable',
    });
    await expect(
      generateTesters({
        compiled,
        segmentId: 'nope',
        count: 1,
        random: seededRandom(4),
        takenIds: new Set(),
      }),
    ).rejects.toMatchObject({
      constructor: TesterGenerationError,
      message:
        'campaign "test-campaign" has no segment "nope" (segments: new-female, new-users, families, app-vips, returning, seniors, everyone)',
      code: 'unknown_segment',
      details: {
        segment: 'nope',
        known: ['new-female', 'new-users', 'families', 'app-vips', 'returning', 'seniors', 'everyone'],
      },
    });
  });
});

describe('generateTesters under protection.velocity.minAccountAgeDays', () => {
  const withMinAge = (min: number, segments: readonly SegmentSpec[] = SEGMENTS) => {
    const resolved = resolvedCampaign(RULES, segments);
    return compileCampaign({
      ...resolved,
      definition: { ...resolved.definition, protection: { velocity: { minAccountAgeDays: min } } },
    });
  };

  /** No earlier segment reads the account age, so nothing but the check itself gives a profile one. */
  const AGE_BLIND_FIRST: SegmentSpec[] = [
    ['families', 'families'],
    ['app-vips', 'app-only'],
    ['seniors', 'seniors'],
    ['new-users', 'new-user'],
    ['everyone'],
  ];

  it.each(['families', 'app-vips', 'seniors', 'new-users', 'everyone'])(
    "every tester for %s passes the service's account-age check and still lands there",
    async (segmentId) => {
      const aged = withMinAge(3, AGE_BLIND_FIRST);
      const testers = await generateTesters({
        compiled: aged,
        segmentId,
        count: 5,
        random: seededRandom(`age-${segmentId}`),
        takenIds: new Set(),
      });
      for (const t of testers) {
        const { protection } = aged.resolved.definition;
        expect([t.userId, accountAgeCheck(protection, t.profile)?.result]).toEqual([t.userId, 'pass']);
        const segment = await aged.matchSegment(
          factsOf({ userId: 't', profile: t.profile, context: t.context }),
        );
        expect([t.userId, segment?.id]).toEqual([t.userId, segmentId]);
      }
    },
  );

  it('fails clearly when the segment only takes accounts younger than the minimum', async () => {
    await expect(
      generateTesters({
        compiled: withMinAge(30, [['new-users', 'new-user'], ['everyone']]),
        segmentId: 'new-users',
        count: 1,
        random: seededRandom(5),
        takenIds: new Set(),
        attemptsPerTester: 40,
      }),
    ).rejects.toThrow(
      /candidates landed in \(refused: registeredDays below minAccountAgeDays 30\): 40\).*refused \(403 velocity\) by protection\.velocity\.minAccountAgeDays$/,
    );
  });
});

describe('solveCondition', () => {
  const random = seededRandom('solver');
  it.each<[string, Condition]>([
    ['equal', leaf('g', 'equal', 'f')],
    ['notEqual', leaf('g', 'notEqual', 'f')],
    ['in', leaf('c', 'in', ['a', 'b'])],
    ['notIn', leaf('c', 'notIn', ['a', 'b'])],
    ['contains', leaf('t', 'contains', 'x')],
    ['doesNotContain', leaf('t', 'doesNotContain', 'x')],
    ['containsAny', leaf('t', 'containsAny', ['x', 'y'])],
    ['lessThan', leaf('n', 'lessThan', 7)],
    ['lessThanInclusive', leaf('n', 'lessThanInclusive', 0)],
    ['greaterThan', leaf('n', 'greaterThan', 30)],
    ['greaterThanInclusive', leaf('n', 'greaterThanInclusive', 55)],
    ['between', leaf('n', 'between', [18, 25])],
    ['startsWith', leaf('s', 'startsWith', 'ab')],
    ['not:equal', leaf('g', 'not:equal', 'f')],
    ['someFact:equal', leaf('t', 'someFact:equal', 'x')],
    ['nested not/any', { not: { any: [leaf('n', 'lessThan', 5), leaf('g', 'equal', 'f')] } }],
  ])(
    '%s: the solved values satisfy the condition, and the negated ones falsify it',
    async (_name, condition) => {
      const single = compileCampaign(resolvedCampaign({ r: condition }, [['s', 'r']]));
      for (const negate of [false, true]) {
        for (let i = 0; i < 10; i++) {
          const assignments = solveCondition(condition, random, new Map(), negate);
          expect(assignments).not.toBeNull();
          const profile: Record<string, unknown> = {};
          for (const a of assignments ?? []) profile[a.path] = a.value;
          const matched =
            (await single.matchSegment(factsOf({ userId: 'x', profile, context: {} }))) !== null;
          expect([JSON.stringify(profile), matched]).toEqual([JSON.stringify(profile), !negate]);
        }
      }
    },
  );

  it('gives up (null) on what it cannot solve, so sampling takes over', () => {
    expect(solveCondition(leaf('n', 'swap:in', [1]), random)).toBeNull();
    expect(
      solveCondition(
        { fact: 'profile', path: 'a', operator: 'equal', value: { fact: 'profile', path: 'b' } },
        random,
      ),
    ).toBeNull();
    expect(solveCondition(leaf('grants', 'equal', 0, 'history'), random)).toEqual([]);
  });
});
