import { buildFacts } from '../../../src/rules/facts';
import {
  HISTORY_KEYS,
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
