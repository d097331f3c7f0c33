import { formatDiagnostic } from '../../../src/definitions/diagnostic';
import { loadDefinitions } from '../../../src/definitions/load-definitions';
import { campaignYaml, tempRepo, TempRepo } from './temp-repo';

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo();
});
afterEach(() => repo.remove());

async function messages(paths?: string[]): Promise<string[]> {
  const set = await loadDefinitions({ root: repo.root, ...(paths ? { paths } : {}) });
  return set.diagnostics.map(formatDiagnostic);
}

/** A rules file with one rule `r` holding the given leaf conditions (one per line, from line 4). */
function rulesYaml(...leaves: string[]): string {
  return [
    'rules:',
    '  - id: r',
    '    conditions:',
    '      all:',
    ...leaves.map((l) => `        - ${l}`),
    '',
  ].join('\n');
}

const USES_R = [
  '  - { id: picked, when: r, rewards: [{ reward: rp, weight: 1 }] }',
  '  - { id: everyone, rewards: [{ reward: thanks, weight: 1 }] }',
].join('\n');

const PATHS = 'participations, grants, grantsToday, rewards.<rewardId>';

describe('loadDefinitions: history paths in rules', () => {
  it('refuses an unknown history path and a quoted count, at the path and at the value', async () => {
    await repo.write(
      'rules/r.yaml',
      rulesYaml(
        '{ fact: history, path: grant, operator: equal, value: 0 }',
        '{ fact: history, path: grantsToday, operator: equal, value: "0" }',
      ),
    );
    const rules = repo.shown('rules/r.yaml');
    expect(await messages()).toEqual([
      `${rules}:5:34: rules[0].conditions.all[0].path: unknown history path "grant" (did you mean "grants"?); history paths: ${PATHS}`,
      `${rules}:6:71: rules[0].conditions.all[1].value: history.grantsToday is a count: needs a number (got "0"); write numbers without quotes`,
    ]);
  });

  it('refuses a condition without a path on a map-valued fact, at the condition', async () => {
    await repo.write(
      'rules/r.yaml',
      rulesYaml(
        '{ fact: profile, operator: lessThan, value: 7 }',
        '{ fact: history, operator: equal, value: 0 }',
      ),
    );
    const rules = repo.shown('rules/r.yaml');
    expect(await messages()).toEqual([
      `${rules}:5:11: rules[0].conditions.all[0]: fact "profile" needs a path to one of its attributes, e.g. path: age (without one it compares the whole profile, a map, which is never true)`,
      `${rules}:6:11: rules[0].conditions.all[1]: fact "history" needs a path: one of ${PATHS} (without one it compares the whole history, a map, which is never true)`,
    ]);
  });

  it('refuses rewards.<rewardId> naming no reward of a campaign that uses the rule, once per campaign', async () => {
    await repo.write(
      'rules/r.yaml',
      rulesYaml(
        '{ fact: history, path: rewards.rp-big, operator: equal, value: 0 }',
        '{ fact: history, path: rewards.thanks, operator: lessThan, value: { fact: history, path: rewards.tanks } }',
      ),
    );
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', USES_R));
    await repo.write('campaigns/autumn.yaml', campaignYaml('autumn', USES_R.replace('everyone', 'all')));
    await repo.write('campaigns/unused.yaml', campaignYaml('unused'));
    const rules = repo.shown('rules/r.yaml');
    const at = 'rules[0].conditions.all';
    expect(await messages()).toEqual([
      `${rules}:5:34: ${at}[0].path: reward "rp-big" is not a reward of campaign "autumn", whose segment "picked" uses this rule; its rewards: rp, thanks`,
      `${rules}:5:34: ${at}[0].path: reward "rp-big" is not a reward of campaign "spring", whose segment "picked" uses this rule; its rewards: rp, thanks`,
      `${rules}:6:100: ${at}[1].value.path: reward "tanks" is not a reward of campaign "autumn", whose segment "picked" uses this rule (did you mean "thanks"?)`,
      `${rules}:6:100: ${at}[1].value.path: reward "tanks" is not a reward of campaign "spring", whose segment "picked" uses this rule (did you mean "thanks"?)`,
    ]);
  });

  it('reports an unknown reward once for a campaign whose segments name the rule twice', async () => {
    await repo.write(
      'rules/r.yaml',
      rulesYaml('{ fact: history, path: rewards.rp-big, operator: equal, value: 0 }'),
    );
    const twice = [
      '  - { id: first, when: r, rewards: [{ reward: rp, weight: 1 }] }',
      '  - { id: second, when: r, rewards: [{ reward: thanks, weight: 1 }] }',
    ].join('\n');
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', twice));
    const found = await messages();
    expect(found.filter((m) => m.includes('rp-big'))).toEqual([
      `${repo.shown('rules/r.yaml')}:5:34: rules[0].conditions.all[0].path: reward "rp-big" is not a reward of campaign "spring", whose segment "first" uses this rule; its rewards: rp, thanks`,
    ]);
  });

  it('shows the unknown reward when only the campaign file is validated, and not for an unrelated file', async () => {
    await repo.write(
      'rules/r.yaml',
      rulesYaml('{ fact: history, path: rewards.rp-big, operator: equal, value: 0 }'),
    );
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', USES_R));
    await repo.write('campaigns/other.yaml', campaignYaml('other'));
    const expected = `${repo.shown('rules/r.yaml')}:5:34: rules[0].conditions.all[0].path: reward "rp-big" is not a reward of campaign "spring", whose segment "picked" uses this rule; its rewards: rp, thanks`;
    expect(await messages([repo.shown('campaigns/spring.yaml')])).toEqual([expected]);
    expect(await messages([repo.shown('rules')])).toEqual([expected]);
    expect(await messages([repo.shown('campaigns/other.yaml')])).toEqual([]);
  });
});

describe('loadDefinitions: profile paths in rules', () => {
  const TESTERS =
    'testers:\n  - { userId: qa, profile: { vipLevel: 5, address: { city: sh }, tags: [a] } }\n';
  const warning = (line: number, col: number, at: string, written: string, meant: string) =>
    `${repo.shown('rules/r.yaml')}:${line}:${col}: warning: rules[0].conditions.all${at}.path: profile field "${written}" is in no tester or case profile of campaign "spring" (its segment "picked" uses this rule): did you mean "${meant}"? A profile without the field makes the condition false`;

  it('warns about a field the testers and cases do not have when they have one spelt nearly alike', async () => {
    await repo.write(
      'rules/r.yaml',
      rulesYaml(
        '{ fact: profile, path: vipLevl, operator: greaterThanInclusive, value: 3 }',
        '{ fact: profile, path: $.address.ctiy, operator: equal, value: sh }',
        '{ fact: profile, path: tags.0, operator: equal, value: { fact: profile, path: registerDays } }',
        '{ fact: profile, path: gender, operator: equal, value: female }',
      ),
    );
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', USES_R) + TESTERS);
    await repo.write(
      'campaigns/spring.test.yaml',
      'campaign: spring\ncases:\n  - { name: a, profile: { registeredDays: 1 }, expect: { segment: everyone } }\n',
    );
    // gender: no profile has it and none is spelt like it, so nothing says it is a typo.
    expect(await messages()).toEqual([
      warning(5, 34, '[0]', 'vipLevl', 'vipLevel'),
      warning(6, 34, '[1]', 'address.ctiy', 'address.city'),
      warning(7, 89, '[2].value', 'registerDays', 'registeredDays'),
    ]);
  });

  it('says nothing when the campaign has no tester or case profile to compare with', async () => {
    await repo.write(
      'rules/r.yaml',
      rulesYaml('{ fact: profile, path: vipLevl, operator: greaterThanInclusive, value: 3 }'),
    );
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', USES_R));
    expect(await messages()).toEqual([]);
  });
});

describe('loadDefinitions: cases', () => {
  const TESTERS = [
    'testers:',
    '  - { userId: qa-rain-new, profile: { registeredDays: 1 } }',
    '  - { userId: qa-rain-old, profile: { registeredDays: 400 } }',
    '',
  ].join('\n');

  beforeEach(() => repo.write('campaigns/rain.yaml', campaignYaml('rain') + TESTERS));

  function casesYaml(...cases: string[]): string {
    return ['campaign: rain', 'cases:', ...cases.map((c) => `  - ${c}`), ''].join('\n');
  }

  it('refuses history keys and reward ids the history fact does not have', async () => {
    await repo.write(
      'campaigns/rain.test.yaml',
      casesYaml(
        '{ name: a, history: { grant: 3 }, expect: { segment: everyone } }',
        '{ name: b, history: { grants: "1", rewards: { thank: 1 } }, expect: { segment: everyone } }',
      ),
    );
    const cases = repo.shown('campaigns/rain.test.yaml');
    // The schema closes the history map; reward ids are checked against the campaign once the file is valid.
    expect(await messages()).toEqual([
      `${cases}:3:27: cases[0].history.grant: unknown property "grant" (did you mean "grants"?); allowed: participations, grants, grantsToday, rewards`,
      `${cases}:4:35: cases[1].history.grants: must be an integer (got "1"); write numbers without quotes`,
    ]);
    await repo.write(
      'campaigns/rain.test.yaml',
      casesYaml('{ name: b, history: { grants: 1, rewards: { thank: 1 } }, expect: { segment: everyone } }'),
    );
    expect(await messages()).toEqual([
      `${cases}:3:49: cases[0].history.rewards.thank: reward "thank" is not a reward of campaign "rain" (did you mean "thanks"?)`,
    ]);
  });

  it('refuses a userId that is no tester when the case has no profile (it would run with an empty one)', async () => {
    await repo.write(
      'campaigns/rain.test.yaml',
      casesYaml(
        '{ name: a, userId: qa-rain-neww, expect: { segment: everyone } }',
        '{ name: b, userId: someone, expect: { segment: everyone } }',
        '{ name: c, userId: qa-rain-new, expect: { segment: everyone } }',
      ),
    );
    const cases = repo.shown('campaigns/rain.test.yaml');
    expect(await messages()).toEqual([
      `${cases}:3:24: cases[0].userId: userId "qa-rain-neww" is not a tester of campaign "rain" (did you mean "qa-rain-new"?): without a profile of its own the case would run with an empty profile`,
      `${cases}:4:24: cases[1].userId: userId "someone" is not a tester of campaign "rain"; testers: qa-rain-new, qa-rain-old: without a profile of its own the case would run with an empty profile`,
    ]);
  });

  it('warns about a userId that is no tester when the case gives its own profile', async () => {
    await repo.write(
      'campaigns/rain.test.yaml',
      casesYaml(
        '{ name: a, userId: qa-rain-neww, profile: { registeredDays: 1 }, expect: { segment: everyone } }',
      ),
    );
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/rain.test.yaml')}:3:24: warning: cases[0].userId: userId "qa-rain-neww" is not a tester of campaign "rain" (did you mean "qa-rain-new"?): the case uses its own profile, so the userId changes nothing`,
    ]);
  });
});

describe('loadDefinitions: quoted numbers in example profiles', () => {
  // The operators are type-strict (src/rules/operators.ts): a tester written with age: "22" falls out of a rule on
  // age between [18, 25], silently until `explain`.
  beforeEach(() =>
    repo.write(
      'rules/r.yaml',
      rulesYaml(
        '{ fact: profile, path: age, operator: between, value: [18, 25] }',
        '{ fact: profile, path: $.address.city, operator: notEqual, value: 571 }',
        '{ fact: profile, path: zip, operator: notEqual, value: "310000" }',
      ),
    ),
  );

  it('warns at a tester or case profile field whose text, as a number, would change a condition on numbers', async () => {
    const testers = [
      'testers:',
      '  - { userId: qa-a, profile: { age: "22", address: { city: "571" }, zip: "310000" } }',
      '  - { userId: qa-b, profile: { age: "40", address: { city: hz } } }',
      '  - { userId: qa-c, profile: { age: 22 } }',
      '',
    ].join('\n');
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', USES_R) + testers);
    await repo.write(
      'campaigns/spring.test.yaml',
      'campaign: spring\ncases:\n  - { name: a, profile: { age: " 19 " }, expect: { segment: everyone } }\n',
    );
    const campaign = repo.shown('campaigns/spring.yaml');
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.test.yaml')}:3:32: warning: cases[0].profile.age: " 19 " is text, not a number: rule "r" (segment "picked") reads profile.age with between [18, 25], true for the number 19 but false for the text; write 19 without quotes`,
      `${campaign}:17:37: warning: testers[0].profile.age: "22" is text, not a number: rule "r" (segment "picked") reads profile.age with between [18, 25], true for the number 22 but false for the text; write 22 without quotes`,
      `${campaign}:17:60: warning: testers[0].profile.address.city: "571" is text, not a number: rule "r" (segment "picked") reads profile.address.city with notEqual 571, false for the number 571 but true for the text; write 571 without quotes`,
    ]);
  });

  it('says nothing for a campaign that does not use the rule', async () => {
    await repo.write(
      'campaigns/spring.yaml',
      `${campaignYaml('spring')}testers:\n  - { userId: qa-a, profile: { age: "22" } }\n`,
    );
    expect(await messages()).toEqual([]);
  });
});

describe('loadDefinitions: dates and tags', () => {
  it('says a well-formed date that does not exist is not a real date', async () => {
    const text = campaignYaml('spring').replace(
      'start: 2026-11-11T00:00:00+08:00',
      'start: 2026-11-31T00:00:00+08:00',
    );
    await repo.write('campaigns/spring.yaml', text);
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.yaml')}:5:18: window.start: is not a real date/time: November has 30 days (got "2026-11-31T00:00:00+08:00")`,
    ]);
  });

  it('refuses YAML 1.1 tags as unsupported, not as a value of the wrong type', async () => {
    const text = campaignYaml('spring').replace(
      'name: Test',
      'name: !!binary aGVsbG8=\ndescription: !!timestamp 2026-01-01',
    );
    await repo.write('campaigns/spring.yaml', text);
    const file = repo.shown('campaigns/spring.yaml');
    expect(await messages()).toEqual([
      `${file}:2:7: name: unsupported tag: only plain YAML (core schema) is accepted`,
      `${file}:3:14: description: unsupported tag: only plain YAML (core schema) is accepted`,
    ]);
  });
});
