import { buildFacts } from '../../../src/rules/facts';
import {
  HISTORY_KEYS,
  impliedHistory,
  historyInputProblems,
  historyPath,
  historyProblemText,
} from '../../../src/rules/history-shape';

describe('history shape', () => {
  it('names exactly the keys the history fact is built with', () => {
    expect([...HISTORY_KEYS].sort()).toEqual(Object.keys(buildFacts({}).history).sort());
  });

  it('classifies history paths', () => {
    expect(historyPath('grants')).toEqual({ kind: 'count', name: 'grants' });
    expect(historyPath('$.participations')).toEqual({ kind: 'count', name: 'participations' });
    expect(historyPath('rewards.rp-big')).toEqual({ kind: 'reward', rewardId: 'rp-big' });
    expect(historyPath('grantsTody')).toEqual({
      kind: 'invalid',
      message:
        'unknown history path "grantsTody" (did you mean "grantsToday"?); history paths: participations, grants, grantsToday, rewards.<rewardId>',
    });
  });
});

describe('historyInputProblems', () => {
  const rewards = { known: ['rp-big', 'thanks'], campaign: 'rain' };

  it('accepts the closed shape', () => {
    const history = { participations: 2, grants: 1, grantsToday: 0, rewards: { 'rp-big': 1 } };
    expect(historyInputProblems(history, 'field', rewards)).toEqual([]);
    expect(historyInputProblems({}, 'property')).toEqual([]);
  });

  it('refuses unknown keys at the key, with a suggestion', () => {
    expect(historyInputProblems({ grant: 3 }, 'property')).toEqual([
      {
        path: ['grant'],
        at: 'key',
        message:
          'unknown property "grant" (did you mean "grants"?); allowed: participations, grants, grantsToday, rewards',
      },
    ]);
  });

  it('refuses counts that are not whole numbers ≥ 0, and rewards that are not a map', () => {
    const problems = historyInputProblems({ grants: '1', grantsToday: -1, rewards: [1] }, 'field');
    expect(problems.map(historyProblemText)).toEqual([
      '"grants" must be a whole number, 0 or more (got "1"); write numbers without quotes',
      '"grantsToday" must be a whole number, 0 or more (got -1)',
      '"rewards" must be a map of reward id to its number of grants (got [1])',
    ]);
  });

  it("checks reward ids against the campaign's when it is known, and their counts", () => {
    const history = { rewards: { 'rp-bg': 1, thanks: 1.5 } };
    expect(historyInputProblems(history, 'field', rewards).map(historyProblemText)).toEqual([
      'in "rewards": reward "rp-bg" is not a reward of campaign "rain" (did you mean "rp-big"?)',
      '"rewards.thanks" must be a whole number, 0 or more (got 1.5)',
    ]);
    expect(historyInputProblems(history, 'field').map(historyProblemText)).toEqual([
      '"rewards.thanks" must be a whole number, 0 or more (got 1.5)',
    ]);
  });
});

describe('a history no user can have', () => {
  it('is refused: today above all grants, rewards above grants, grants above participations', () => {
    expect(
      historyInputProblems({ grants: 3, grantsToday: 4, rewards: { a: 5 } }, 'field').map((p) => p.message),
    ).toEqual([
      "grantsToday (4) is above grants (3): today's grants are among all grants",
      "grants (3) is below the 5 grants listed in rewards: every reward's grants are among all grants",
    ]);
    expect(historyInputProblems({ grants: 3, participations: 1 }, 'field')).toEqual([
      {
        path: ['participations'],
        message: 'participations (1) is below grants (3): every grant comes from a participation',
        at: 'key',
      },
    ]);
    expect(historyInputProblems({ participations: 3, grants: 3, grantsToday: 1 }, 'field')).toEqual([]);
  });

  it('has its omitted counts implied by the given ones, as the ledger would show them', () => {
    expect(impliedHistory({ grants: 3 })).toEqual({ grants: 3, participations: 3 });
    expect(impliedHistory({ grantsToday: 2, rewards: { a: 1 } })).toEqual({
      grantsToday: 2,
      rewards: { a: 1 },
      grants: 2,
      participations: 2,
    });
    expect(impliedHistory({})).toEqual({ grants: 0, participations: 0 });
  });
});
