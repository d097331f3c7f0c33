import { formatDiagnostic } from '../../../src/definitions/diagnostic';
import type { DefinitionFile, DefinitionKind } from '../../../src/definitions/definition-files';
import { loadDefinitions } from '../../../src/definitions/load-definitions';
import { wrongKind } from '../../../src/definitions/wrong-kind';
import { campaignYaml, RULES_YAML, tempRepo, TempRepo } from './temp-repo';

function source(file: string, kind: DefinitionKind): DefinitionFile {
  return { absolute: `/repo/${file}`, file, kind, reported: true };
}

describe('wrongKind', () => {
  const rules = { rules: [{ id: 'r' }] };
  const campaign = { id: 'spring', rewards: [], segments: [] };
  const cases = { campaign: 'spring', cases: [] };

  it('says what a file looks like when its place or name says another kind', () => {
    expect(wrongKind(source('campaigns/users.yaml', 'campaign'), rules)).toEqual({
      kind: 'rules',
      message: 'this looks like a rules file: rules files belong in rules/',
    });
    expect(wrongKind(source('rules/spring.yaml', 'rules'), campaign)).toEqual({
      kind: 'campaign',
      message: 'this looks like a campaign file: campaign files belong in campaigns/',
    });
    expect(wrongKind(source('campaigns/spring.tests.yaml', 'campaign'), cases)).toEqual({
      kind: 'cases',
      message: 'this looks like a case file: name it spring.test.yaml',
    });
    expect(wrongKind(source('rules/spring.test.yaml', 'rules'), { cases: [] })?.message).toBe(
      'this looks like a case file: move it to campaigns/ and name it <campaign-id>.test.yaml',
    );
    expect(wrongKind(source('campaigns/autumn.test.yaml', 'cases'), campaign)?.message).toBe(
      'this looks like a campaign file: name it spring.yaml (spring.test.yaml holds its cases)',
    );
  });

  it('leaves a file alone that has a key of its own kind, or of no other kind', () => {
    expect(
      wrongKind(source('campaigns/spring.yaml', 'campaign'), { ...campaign, rules: [] }),
    ).toBeUndefined();
    expect(wrongKind(source('rules/users.yaml', 'rules'), { ...rules, segments: [] })).toBeUndefined();
    expect(wrongKind(source('campaigns/spring.yaml', 'campaign'), { id: 'spring' })).toBeUndefined();
    expect(wrongKind(source('campaigns/spring.yaml', 'campaign'), [rules])).toBeUndefined();
  });
});

describe('loadDefinitions: a file of the wrong kind', () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await tempRepo();
  });
  afterEach(() => repo.remove());

  const WITH_RULE = '  - { id: new-users, when: new-user, rewards: [{ reward: rp, weight: 1 }] }';

  async function messages(): Promise<string[]> {
    return (await loadDefinitions({ root: repo.root })).diagnostics.map(formatDiagnostic);
  }

  it('reports a rules file in campaigns/ once, and blames no campaign for the rules it holds', async () => {
    await repo.write('campaigns/users.yaml', `# shared rules\n${RULES_YAML}`);
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', WITH_RULE));
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/users.yaml')}:1:1: (root): this looks like a rules file: rules files belong in rules/`,
    ]);
  });

  it('reports a campaign in rules/ once; its id still counts, so its cases are not blamed', async () => {
    await repo.write('rules/users.yaml', RULES_YAML);
    await repo.write('rules/spring.yaml', campaignYaml('spring', WITH_RULE));
    await repo.write(
      'campaigns/spring.test.yaml',
      'campaign: spring\ncases:\n  - { name: a, expect: { segment: null } }\n',
    );
    expect(await messages()).toEqual([
      `${repo.shown('rules/spring.yaml')}:1:1: (root): this looks like a campaign file: campaign files belong in campaigns/`,
    ]);
  });

  it('reports misnamed cases once, naming the file they belong in', async () => {
    await repo.write('rules/users.yaml', RULES_YAML);
    await repo.write('campaigns/spring.yaml', campaignYaml('spring'));
    await repo.write(
      'campaigns/spring.tests.yaml',
      'campaign: spring\ncases:\n  - { name: a, expect: { segment: null } }\n',
    );
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.tests.yaml')}:1:1: (root): this looks like a case file: name it spring.test.yaml`,
    ]);
  });
});
