/**
 * Mistakes an audit found `validate` let through or buried in cascades, each on a copy of the repository's own
 * definitions: one error at its file:line:col, exit 1.
 */
import { copyRepo, pocket, REPO_ROOT, type RepoCopy } from './run-pocket';

const RULES = 'rules/users.yaml';
const CAMPAIGN = 'campaigns/new-user-coupon-pack.yaml';
const CASES = 'campaigns/new-user-coupon-pack.test.yaml';

let repo: RepoCopy;
beforeEach(() => {
  repo = copyRepo(REPO_ROOT);
});
afterEach(() => repo.remove());

/** The errors `validate` prints on stderr (warnings and the summary left out), and its exit code. */
async function validateErrors(): Promise<{ code: number; errors: string[] }> {
  const run = await pocket(['validate', '--root', repo.root], { cwd: repo.root });
  const lines = run.stderr.split('\n').filter(Boolean);
  return {
    code: run.code,
    errors: lines.filter((l) => !l.includes(': warning: ') && !l.startsWith('invalid: ')),
  };
}

describe('pocket validate: mistakes reported once, where they are', () => {
  it('refuses an unknown context path in a rule, with a suggestion', async () => {
    const from = '{ fact: context, path: channel,';
    const at = repo.replace(RULES, from, '{ fact: context, path: chanel,');
    const col = at.col + '{ fact: context, path: '.length;
    expect(await validateErrors()).toEqual({
      code: 1,
      errors: [
        `${RULES}:${at.line}:${col}: rules[3].conditions.all[0].path: unknown context path "chanel" (did you mean "channel"?); context paths: channel, deviceId, appVersion, platform, locale, ip`,
      ],
    });
  });

  it('refuses an unknown context field and a wrong value in a case, as the participation API would', async () => {
    const at = repo.replace(CASES, 'context: { channel: h5 }', 'context: { chanel: h5, platform: 5 }');
    const col = at.col + 'context: { '.length;
    expect(await validateErrors()).toEqual({
      code: 1,
      errors: [
        `${CASES}:${at.line}:${col}: cases[1].context.chanel: unknown property "chanel" (did you mean "channel"?); allowed: channel, deviceId, appVersion, platform, locale, ip`,
        `${CASES}:${at.line}:${col + 'chanel: h5, platform: '.length}: cases[1].context.platform: must be one of: ios, android, web, other (got 5)`,
      ],
    });
  });

  it('says once that a condition sets both all and any', async () => {
    const rule = [
      '  - id: any-and-all',
      '    conditions:',
      '      all: [{ fact: profile, path: age, operator: greaterThan, value: 17 }]',
      '      any: [{ fact: profile, path: age, operator: lessThan, value: 65 }]',
      '',
    ].join('\n');
    const text = repo.read(RULES);
    repo.write(RULES, `${text}\n${rule}`);
    const line = text.split('\n').length + 3;
    expect(await validateErrors()).toEqual({
      code: 1,
      errors: [
        `${RULES}:${line}:7: rules[4].conditions: "all" and "any" cannot both be set; nest one inside the other`,
      ],
    });
  });

  it('says once that a condition is empty', async () => {
    const rule = 'Registered in the last 7 days\n    conditions:\n      all:\n        - ';
    const at = repo.replace(
      RULES,
      `${rule}{ fact: profile, path: registeredDays, operator: lessThan, value: 7 }`,
      `${rule}{}`,
    );
    expect(await validateErrors()).toEqual({
      code: 1,
      errors: [
        `${RULES}:${at.line + 3}:11: rules[0].conditions.all[0]: empty condition: set fact/operator/value, or all/any/not`,
      ],
    });
  });

  it('says once that a file is of the wrong kind, at 1:1, without its schema errors or their cascades', async () => {
    repo.write('campaigns/users.yaml', repo.read(RULES));
    repo.write('rules/new-user-coupon-pack.yaml', repo.read(CAMPAIGN));
    repo.write('campaigns/new-user-coupon-pack.tests.yaml', repo.read(CASES));
    expect(await validateErrors()).toEqual({
      code: 1,
      errors: [
        'campaigns/new-user-coupon-pack.tests.yaml:1:1: (root): this looks like a case file: name it new-user-coupon-pack.test.yaml',
        'campaigns/users.yaml:1:1: (root): this looks like a rules file: rules files belong in rules/',
        'rules/new-user-coupon-pack.yaml:1:1: (root): this looks like a campaign file: campaign files belong in campaigns/',
      ],
    });
  });
});
