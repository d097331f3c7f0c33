import { promises as fs } from 'fs';
import path from 'path';
import { DefinitionsInvalidError } from '../../../src/definitions/definitions-invalid-error';
import { formatDiagnostic } from '../../../src/definitions/diagnostic';
import { loadDefinitions } from '../../../src/definitions/load-definitions';
import { loadResolvedCampaigns } from '../../../src/definitions/load-resolved-campaigns';
import { MAX_FILE_BYTES } from '../../../src/definitions/read-yaml-file';
import { campaignYaml, RULES_YAML, tempRepo, TempRepo } from './temp-repo';

let repo: TempRepo;
beforeEach(async () => {
  repo = await tempRepo();
  await repo.write('rules/users.yaml', RULES_YAML);
});
afterEach(() => repo.remove());

async function messages(paths?: string[]): Promise<string[]> {
  const set = await loadDefinitions({ root: repo.root, ...(paths ? { paths } : {}) });
  return set.diagnostics.map(formatDiagnostic);
}

const WITH_SEGMENT = [
  '  - { id: new-users, when: new-user, rewards: [{ reward: rp, weight: 1 }] }',
  '  - { id: everyone, rewards: [{ reward: thanks, weight: 1 }] }',
].join('\n');

describe('loadDefinitions', () => {
  it('loads campaigns, rules and cases (.yaml and .yml) into the set', async () => {
    await repo.write('campaigns/spring.yml', campaignYaml('spring', WITH_SEGMENT));
    await repo.write(
      'campaigns/spring.test.yaml',
      'campaign: spring\ncases:\n  - { name: a, expect: { segment: new-users } }\n',
    );
    const set = await loadDefinitions({ root: repo.root });
    expect(set.diagnostics).toEqual([]);
    expect(set.campaigns.get('spring')?.file).toBe(repo.shown('campaigns/spring.yml'));
    expect(set.rules.get('new-user')?.file).toBe(repo.shown('rules/users.yaml'));
    expect(set.cases.get('spring')?.cases.cases[0]?.name).toBe('a');
  });

  it('requires a campaign id to equal its file name', async () => {
    await repo.write('campaigns/spring.yaml', campaignYaml('autumn'));
    // The cases named after the file are right: they were told `campaign "spring" is not defined in campaigns/`,
    // an echo of the id's error, in a file that needs no change when the id is set back.
    await repo.write(
      'campaigns/spring.test.yaml',
      'campaign: spring\ncases: [{ name: a, expect: { outcome: granted } }]\n',
    );
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.yaml')}:1:5: id: id "autumn" must equal the file name: rename the file to autumn.yaml or set id: spring`,
    ]);
  });

  // "set id: Spring Sale" was offered, and following it gave the kebab-case error next.
  it('offers only the rename when the file name is no campaign id', async () => {
    await repo.write('campaigns/spring_sale.yaml', campaignYaml('spring-sale'));
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring_sale.yaml')}:1:5: id: id "spring-sale" must equal the file name: rename the file to spring-sale.yaml ("spring_sale" is no campaign id: ids are kebab-case)`,
    ]);
  });

  it('tells a copied campaign that kept its id to take its file name, and leaves the original alone', async () => {
    // A copy sorting before the original (lucky-draw-2.yaml < lucky-draw.yaml) used to claim the id: the
    // original was then the "duplicate", and the copy was told to rename itself over the original.
    await repo.write('campaigns/lucky-draw.yaml', campaignYaml('lucky-draw'));
    await repo.write('campaigns/lucky-draw-2.yaml', campaignYaml('lucky-draw'));
    await repo.write(
      'campaigns/lucky-draw-2.test.yaml',
      'campaign: lucky-draw-2\ncases: [{ name: a, expect: { outcome: granted } }]\n',
    );
    const set = await loadDefinitions({ root: repo.root });
    expect(set.diagnostics.map(formatDiagnostic)).toEqual([
      `${repo.shown('campaigns/lucky-draw-2.yaml')}:1:5: id: id "lucky-draw" is the campaign in ${repo.shown('campaigns/lucky-draw.yaml')}, and a campaign id is never reused: set id: lucky-draw-2`,
    ]);
    expect(set.campaigns.get('lucky-draw')?.file).toBe(repo.shown('campaigns/lucky-draw.yaml'));
  });

  it('checks cases against their campaign', async () => {
    await repo.write('campaigns/spring.yaml', campaignYaml('spring'));
    await repo.write(
      'campaigns/spring.test.yaml',
      [
        'campaign: spring',
        'cases:',
        '  - { name: a, expect: { segment: everyon, rewards: [rp, thank] } }',
        '  - { name: a, expect: { reward: rp } }',
        '',
      ].join('\n'),
    );
    await repo.write(
      'campaigns/other.test.yaml',
      'campaign: sprig\ncases: [{ name: x, expect: { outcome: granted } }]\n',
    );
    const cases = repo.shown('campaigns/spring.test.yaml');
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/other.test.yaml')}:1:11: campaign: campaign "sprig" is not defined in campaigns/ (did you mean "spring"?)`,
      `${cases}:3:35: cases[0].expect.segment: segment "everyon" is not a segment of campaign "spring" (did you mean "everyone"?)`,
      `${cases}:3:58: cases[0].expect.rewards[1]: reward "thank" is not a reward of campaign "spring" (did you mean "thanks"?)`,
      `${cases}:4:13: cases[1].name: duplicate case name "a"; first defined at cases[0]`,
    ]);
  });

  it('refuses a case expecting velocity from a campaign without minAccountAgeDays: it could never pass', async () => {
    await repo.write('campaigns/spring.yaml', campaignYaml('spring'));
    await repo.write(
      'campaigns/aged.yaml',
      `${campaignYaml('aged')}protection: { velocity: { maxAccountsPerDevice: 2, minAccountAgeDays: 3 } }\n`,
    );
    const velocityCase = 'cases: [{ name: new account, expect: { outcome: velocity } }]\n';
    await repo.write('campaigns/spring.test.yaml', `campaign: spring\n${velocityCase}`);
    await repo.write('campaigns/aged.test.yaml', `campaign: aged\n${velocityCase}`);
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.test.yaml')}:2:49: cases[0].expect.outcome: outcome velocity can never happen here: campaign "spring" sets no protection.velocity.minAccountAgeDays above 0, the one velocity check \`pocket test\` makes (accounts per device need live state and are not simulated)`,
    ]);
  });

  it('requires cases to sit in <campaign>.test.yaml', async () => {
    await repo.write('campaigns/spring.yaml', campaignYaml('spring'));
    await repo.write(
      'campaigns/autumn.test.yaml',
      'campaign: spring\ncases: [{ name: x, expect: { outcome: granted } }]\n',
    );
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/autumn.test.yaml')}:1:11: campaign: cases for campaign "spring" must be in spring.test.yaml`,
    ]);
  });

  it('does not blame a campaign for a rule whose file is broken, nor cases for a broken campaign', async () => {
    await repo.write('rules/broken.yaml', 'rules:\n  - id: vip\n    conditions: { all: [] }\n');
    await repo.write(
      'campaigns/spring.yaml',
      campaignYaml('spring', '  - { id: vips, when: vip, rewards: [{ reward: rp, weight: 1 }] }'),
    );
    await repo.write('campaigns/autumn.yaml', campaignYaml('autumn').replace('status: active', 'status: on'));
    await repo.write(
      'campaigns/autumn.test.yaml',
      'campaign: autumn\ncases: [{ name: x, expect: { segment: nope } }]\n',
    );
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/autumn.yaml')}:4:9: status: must be one of: draft, active, ended (got "on")`,
      `${repo.shown('rules/broken.yaml')}:3:24: rules[0].conditions.all: must list at least one item`,
    ]);
  });

  it('reports a YAML syntax error once: not again as an unknown campaign in its cases or unknown rules', async () => {
    // An unclosed flow map: the campaign's id cannot be read, nor any rule id of the rules file.
    await repo.write('rules/broken.yaml', 'rules:\n  - { id: vip, conditions: { all: [] }\n  - id: other\n');
    await repo.write(
      'campaigns/spring.yaml',
      campaignYaml('spring', '  - { id: vips, when: vip, rewards: [{ reward: rp, weight: 1 }] }'),
    );
    await repo.write('campaigns/autumn.yaml', 'id: autumn\nname: { Autumn\nowner: qa\n');
    await repo.write(
      'campaigns/autumn.test.yaml',
      'campaign: autumn\ncases: [{ name: x, expect: { outcome: granted } }]\n',
    );
    const found = await messages();
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(new RegExp(`^${repo.shown('campaigns/autumn.yaml')}:\\d+:\\d+: .*invalid YAML`));
    expect(found[1]).toMatch(new RegExp(`^${repo.shown('rules/broken.yaml')}:\\d+:\\d+: .*invalid YAML`));
  });

  it('reports rule ids defined twice across files at the later one', async () => {
    await repo.write('rules/more.yaml', RULES_YAML);
    expect(await messages()).toEqual([
      `${repo.shown('rules/users.yaml')}:2:9: rules[0].id: duplicate rule id "new-user"; first defined at ${repo.shown('rules/more.yaml')}:2:9`,
    ]);
  });

  it('reports only the requested paths, but checks them against every rule', async () => {
    await repo.write('campaigns/good.yaml', campaignYaml('good', WITH_SEGMENT));
    await repo.write('campaigns/bad.yaml', campaignYaml('bad').replace('owner: qa', 'owner: 7'));
    await repo.write('rules/broken.yaml', 'rules: 5\n');
    expect(await messages([repo.shown('campaigns/good.yaml')])).toEqual([]);
    expect(await messages([repo.shown('campaigns')])).toEqual([
      `${repo.shown('campaigns/bad.yaml')}:3:8: owner: must be a string (got 7)`,
    ]);
  });

  it('reports a requested campaign with the findings of the rules it uses, and only those', async () => {
    await repo.write('campaigns/good.yaml', campaignYaml('good', WITH_SEGMENT));
    await repo.write(
      'rules/users.yaml',
      [
        'rules:',
        '  - id: new-user',
        '    conditions: { all: [{ fact: profil, path: registeredDays, operator: lessThan, value: 7 }] }',
        '  - id: unused',
        '    conditions: { all: [{ fact: profile, path: age, operator: lessThen, value: 7 }] }',
        '',
      ].join('\n'),
    );
    const used = await messages([repo.shown('campaigns/good.yaml')]);
    expect(used).toEqual([
      expect.stringMatching(/users\.yaml:3:\d+: rules\[0\]\.conditions\.all\[0\]\.fact: .*profil/),
    ]);
    // The whole repository shows both; a rules file that cannot be read at all comes with a campaign using it.
    expect(await messages()).toHaveLength(2);
    await repo.write('rules/users.yaml', 'rules: [\n');
    expect(await messages([repo.shown('campaigns/good.yaml')])).toEqual([
      expect.stringMatching(/users\.yaml:\d+:\d+: /),
    ]);
  });

  it('reports requested paths that do not exist or are not YAML', async () => {
    await repo.write('README.md', '# hi\n');
    expect(await messages([repo.shown('nope'), repo.shown('README.md')])).toEqual([
      `${repo.shown('README.md')}:1:1: (root): not a definitions file (expected .yaml or .yml)`,
      `${repo.shown('nope')}:1:1: (root): no such file or directory`,
    ]);
  });

  it('reports a requested directory with nothing to check, instead of passing it as clean', async () => {
    await repo.write('elsewhere/notes.txt', 'no definitions\n');
    expect(await messages([repo.shown('elsewhere')])).toEqual([
      `${repo.shown('elsewhere')}:1:1: (root): no .yaml or .yml files here`,
    ]);
    await repo.write('campaigns/solo.yaml', campaignYaml('solo', WITH_SEGMENT));
    expect(await messages([repo.shown('campaigns')])).toEqual([]);
  });

  // `pocket validate /path/to/other-repo` checked nothing of it and said only "no .yaml or .yml files here".
  it('points a requested directory that is another definitions repository at --root', async () => {
    await repo.write('other/campaigns/solo.yaml', campaignYaml('solo', WITH_SEGMENT));
    expect(await messages([repo.shown('other')])).toEqual([
      `${repo.shown('other')}:1:1: (root): no .yaml or .yml files here, but campaigns/ or rules/ below: ` +
        `to check that repository, run pocket --root ${repo.shown('other')} validate`,
    ]);
  });

  it('loads YAML files given by path outside the repository, classified by name', async () => {
    await repo.write('elsewhere/solo.yaml', campaignYaml('solo', WITH_SEGMENT));
    const set = await loadDefinitions({ root: repo.root, paths: [repo.shown('elsewhere')] });
    expect(set.diagnostics).toEqual([]);
    expect(set.campaigns.has('solo')).toBe(true);
  });

  // A monorepo: `pocket --root defs validate .` from its top checks the definitions, not the top's tooling YAML.
  it('reads no top-level YAML of a requested directory that holds the root, itself or one above it', async () => {
    await repo.write('defs/campaigns/good.yaml', campaignYaml('good', WITH_SEGMENT));
    await repo.write('defs/compose.yaml', 'services: {}\n');
    await repo.write('docker-compose.yml', 'services: {}\n');
    const filesOf = async (requested: string) =>
      (await loadDefinitions({ root: `${repo.root}/defs`, paths: [requested] })).diagnostics.map(
        (d) => d.file,
      );
    // The campaign is reported (its rule is missing here); neither compose file is read as a campaign.
    expect(new Set(await filesOf(repo.root))).toEqual(new Set([repo.shown('defs/campaigns/good.yaml')]));
    expect(new Set(await filesOf(`${repo.root}/defs`))).toEqual(
      new Set([repo.shown('defs/campaigns/good.yaml')]),
    );
  });

  it('says so when the root holds no definitions at all', async () => {
    const set = await loadDefinitions({ root: `${repo.root}/campaigns` });
    expect(set.diagnostics.map(formatDiagnostic)).toEqual([
      `${repo.shown('campaigns')}:1:1: (root): no campaigns/ or rules/ directory here`,
    ]);
  });

  it('refuses an empty file and an oversized one', async () => {
    await repo.write('campaigns/empty.yaml', '# nothing here\n');
    await repo.write('campaigns/huge.yaml', `description: "${'x'.repeat(MAX_FILE_BYTES)}"\n`);
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/empty.yaml')}:1:1: (root): the file is empty; expected a campaign definition`,
      `${repo.shown('campaigns/huge.yaml')}:1:1: (root): file is too large (512.0 KiB; the limit is 512 KiB): split it or trim it`,
    ]);
  });
});

describe('loadDefinitions: files that cannot be loaded', () => {
  const VIP_SEGMENT = '  - { id: vips, when: vip, rewards: [{ reward: rp, weight: 1 }] }';

  it('reports a directory named like a rules file, and blames no campaign for the rules it may hold', async () => {
    await fs.rm(path.join(repo.root, 'rules/users.yaml'));
    await fs.mkdir(path.join(repo.root, 'rules/users.yaml'));
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', WITH_SEGMENT));
    expect(await messages()).toEqual([
      `${repo.shown('rules/users.yaml')}:1:1: (root): is a directory, not a YAML file`,
    ]);
  });

  it('reports a dangling symlink, and reads a symlink to a file', async () => {
    await repo.write('elsewhere/spring.yaml', campaignYaml('spring', WITH_SEGMENT));
    await fs.mkdir(path.join(repo.root, 'campaigns'));
    await fs.symlink(
      path.join(repo.root, 'elsewhere/spring.yaml'),
      path.join(repo.root, 'campaigns/spring.yaml'),
    );
    await fs.symlink(path.join(repo.root, 'nowhere.yaml'), path.join(repo.root, 'campaigns/ghost.yaml'));
    const set = await loadDefinitions({ root: repo.root });
    expect(set.diagnostics.map(formatDiagnostic)).toEqual([
      `${repo.shown('campaigns/ghost.yaml')}:1:1: (root): cannot be read: the symlink points to nothing`,
    ]);
    expect(set.campaigns.has('spring')).toBe(true);
  });

  it("skips hidden names (an editor's lock file is a dangling symlink such as .#spring.yaml)", async () => {
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', WITH_SEGMENT));
    await fs.symlink('user@host.1234:1700000000', path.join(repo.root, 'campaigns/.#spring.yaml'));
    await repo.write('rules/.backup.yaml', 'not: [valid');
    expect(await messages()).toEqual([]);
  });

  describe('every other entry of campaigns/ and rules/ is an error on its own path', () => {
    const CAMPAIGNS_ONLY =
      'not a definitions file: campaigns/ holds <id>.yaml and <id>.test.yaml files only; move it out of campaigns/';
    const RULES_ONLY = 'not a definitions file: rules/ holds <name>.yaml files only; move it out of rules/';
    const SUBDIRECTORY = 'subdirectories are not read; move its files up into campaigns/';

    beforeEach(async () => {
      await repo.write('campaigns/spring.yaml', campaignYaml('spring', WITH_SEGMENT));
      await repo.write('campaigns/2026/autumn.yaml', campaignYaml('autumn'));
      await repo.write('campaigns/notes.json', '{}\n');
      await repo.write('campaigns/spring.yaml.bak', campaignYaml('spring', WITH_SEGMENT));
      await repo.write('rules/users.txt', 'not rules\n');
    });

    it('reports a subdirectory, a non-YAML file and a backup instead of skipping them', async () => {
      const set = await loadDefinitions({ root: repo.root });
      expect(set.diagnostics.map(formatDiagnostic)).toEqual([
        `${repo.shown('campaigns/2026')}:1:1: (root): ${SUBDIRECTORY}`,
        `${repo.shown('campaigns/notes.json')}:1:1: (root): ${CAMPAIGNS_ONLY}`,
        `${repo.shown('campaigns/spring.yaml.bak')}:1:1: (root): ${CAMPAIGNS_ONLY}`,
        `${repo.shown('rules/users.txt')}:1:1: (root): ${RULES_ONLY}`,
      ]);
      // A subdirectory's files are still not read.
      expect([...set.campaigns.keys()]).toEqual(['spring']);
    });

    it('judges a symlink by its target, and skips hidden names and a README', async () => {
      await fs.rm(path.join(repo.root, 'campaigns/2026'), { recursive: true });
      await fs.rm(path.join(repo.root, 'campaigns/notes.json'));
      await fs.rm(path.join(repo.root, 'campaigns/spring.yaml.bak'));
      await fs.rm(path.join(repo.root, 'rules/users.txt'));
      await repo.write('elsewhere/x.yaml', campaignYaml('x'));
      await fs.symlink(path.join(repo.root, 'elsewhere'), path.join(repo.root, 'campaigns/linked'));
      await fs.symlink(path.join(repo.root, 'nowhere'), path.join(repo.root, 'rules/ghost'));
      await repo.write('campaigns/README.md', '# Campaigns\n');
      await repo.write('rules/readme', 'the rules\n');
      await repo.write('campaigns/.gitkeep', '');
      await repo.write('rules/.notes.txt', '');
      expect(await messages()).toEqual([
        `${repo.shown('campaigns/linked')}:1:1: (root): ${SUBDIRECTORY}`,
        `${repo.shown('rules/ghost')}:1:1: (root): ${RULES_ONLY}`,
      ]);
    });

    it('reports them when their directory is validated, not when one file is', async () => {
      expect(await messages([repo.shown('campaigns/spring.yaml')])).toEqual([]);
      expect(await messages([repo.shown('campaigns')])).toEqual([
        `${repo.shown('campaigns/2026')}:1:1: (root): ${SUBDIRECTORY}`,
        `${repo.shown('campaigns/notes.json')}:1:1: (root): ${CAMPAIGNS_ONLY}`,
        `${repo.shown('campaigns/spring.yaml.bak')}:1:1: (root): ${CAMPAIGNS_ONLY}`,
      ]);
    });

    it('makes the definitions invalid for every verb that loads them', async () => {
      await expect(loadResolvedCampaigns(repo.root)).rejects.toBeInstanceOf(DefinitionsInvalidError);
    });
  });

  it('blames no campaign for a rule whose id the rules file misspells', async () => {
    await repo.write('rules/users.yaml', RULES_YAML.replace('  - id: new-user', '  - idd: new-user'));
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', WITH_SEGMENT));
    const found = await messages();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/rules\/users\.yaml:2:\d+: rules\[0\]/);
  });

  it('refuses an upper-case extension on its own path instead of skipping the file', async () => {
    await fs.rm(path.join(repo.root, 'rules/users.yaml'));
    await repo.write('rules/users.YAML', RULES_YAML);
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', WITH_SEGMENT));
    await repo.write('campaigns/upper.YML', campaignYaml('upper'));
    await repo.write(
      'campaigns/upper.test.yaml',
      'campaign: upper\ncases: [{ name: x, expect: { outcome: granted } }]\n',
    );
    const refused = 'extension must be .yaml or .yml (lower case): rename the file';
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/upper.YML')}:1:1: (root): ${refused}`,
      `${repo.shown('rules/users.YAML')}:1:1: (root): ${refused}`,
    ]);
    // spring's rule lives in the refused file: validating spring alone says so.
    expect(await messages([repo.shown('campaigns/spring.yaml')])).toEqual([
      `${repo.shown('rules/users.YAML')}:1:1: (root): ${refused}`,
    ]);
  });

  it('reports an empty rules file, and blames no campaign for the rules it should hold', async () => {
    await repo.write('rules/vip.yaml', '');
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', VIP_SEGMENT));
    expect(await messages()).toEqual([
      `${repo.shown('rules/vip.yaml')}:1:1: (root): the file is empty; expected a rules definition`,
    ]);
  });

  it('still reports an unknown rule when every rules file has a readable rule list', async () => {
    await repo.write('rules/vip.yaml', 'rules:\n  - id: vip\n    conditions: { all: [] }\n');
    await repo.write('campaigns/spring.yaml', campaignYaml('spring', VIP_SEGMENT.replace('vip,', 'vipp,')));
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.yaml')}:12:23: segments[0].when: rule "vipp" is not defined in rules/ (did you mean "vip"?)`,
      `${repo.shown('rules/vip.yaml')}:3:24: rules[0].conditions.all: must list at least one item`,
    ]);
  });

  it('refuses a file that is not UTF-8 as an error', async () => {
    const text = campaignYaml('spring').replace('name: Test', 'name: New user \u0000 coupon pack');
    const [before, after] = text.split('\u0000') as [string, string];
    await repo.write(
      'campaigns/spring.yaml',
      Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]),
    );
    const set = await loadDefinitions({ root: repo.root });
    expect(set.diagnostics).toEqual([
      expect.objectContaining({
        file: repo.shown('campaigns/spring.yaml'),
        line: 2,
        col: 16,
        message: 'file is not valid UTF-8 (byte 0xff): save it as UTF-8',
        severity: 'error',
      }),
    ]);
    expect(set.campaigns.has('spring')).toBe(false);
  });

  // `name: #1 coupon pack` is `name:` and a comment: "must be a string (got null)" where the reader saw a value.
  it('says a value that begins with # was read as a comment', async () => {
    await repo.write('campaigns/spring.yaml', campaignYaml('spring').replace('name: Test', 'name: #1 pack'));
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.yaml')}:2:7: name: must be a string (got null); "#" starts a comment in YAML, so the value is empty: quote it, name: "#1 pack"`,
    ]);
  });

  // The yaml library skipped a leading BOM but counted it in the first line's columns: 1:6 where editors show 1:5.
  it('positions first-line errors as an editor does in a file with a BOM', async () => {
    await repo.write('campaigns/spring.yaml', `\uFEFF${campaignYaml('autumn')}`);
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.yaml')}:1:5: id: id "autumn" must equal the file name: rename the file to autumn.yaml or set id: spring`,
    ]);
  });

  // A file saved with CR-only line endings read as one line: "the file is empty" when it began with a comment.
  it('names CR-only line endings, and a stray carriage return where it is; CRLF is fine', async () => {
    const text = `# spring\n${campaignYaml('spring')}`;
    await repo.write('campaigns/spring.yaml', text.replaceAll('\n', '\r'));
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.yaml')}:1:1: (root): line endings are CR only (classic Mac): save the file with LF (or CRLF) line endings`,
    ]);
    await repo.write('campaigns/spring.yaml', text.replace('name: Test', 'name: Test\r x'));
    expect(await messages()).toEqual([
      `${repo.shown('campaigns/spring.yaml')}:3:11: (root): a carriage return (\\r) without a line feed: remove it, or save the file with LF line endings`,
    ]);
    await repo.write('campaigns/spring.yaml', text.replaceAll('\n', '\r\n'));
    expect(await messages()).toEqual([]);
  });
});

describe('loadDefinitions: numbers that are not finite', () => {
  it('shows what the YAML said, not JSON null', async () => {
    const segments = [
      '  - { id: a, rewards: [{ reward: thanks, weight: .nan }] }',
      '  - { id: b, rewards: [{ reward: thanks, weight: -.Inf }] }',
    ].join('\n');
    await repo.write(
      'campaigns/spring.yaml',
      campaignYaml('spring', segments).replace('type: none }', 'type: none, stock: 1e400 }'),
    );
    const file = repo.shown('campaigns/spring.yaml');
    expect(await messages()).toEqual([
      `${file}:10:38: rewards[1].stock: must be an integer (got 1e400, not a finite number)`,
      `${file}:12:50: segments[0].rewards[0].weight: must be a number (got .nan, not a finite number)`,
      `${file}:13:50: segments[1].rewards[0].weight: must be a number (got -.Inf, not a finite number)`,
    ]);
  });
});

describe('loadDefinitions: values that do not show what they are', () => {
  const withStock = (stock: string): string =>
    campaignYaml('spring').replace('max: 9 } }', `max: 9 }, stock: ${stock} }`);

  it('echoes a number as written when the float it became prints otherwise', async () => {
    const file = repo.shown('campaigns/spring.yaml');
    await repo.write('campaigns/spring.yaml', withStock('9007199254740993'));
    expect(await messages()).toEqual([
      `${file}:9:68: rewards[0].stock: must be at most 2147483647 (got 9007199254740993)`,
    ]);
    await repo.write('campaigns/spring.yaml', withStock('1e23'));
    expect(await messages()).toEqual([
      `${file}:9:68: rewards[0].stock: must be at most 2147483647 (got 1e23)`,
    ]);
    await repo.write('campaigns/spring.yaml', withStock('0x7fffffffff'));
    expect(await messages()).toEqual([
      `${file}:9:68: rewards[0].stock: must be at most 2147483647 (got 0x7fffffffff)`,
    ]);
  });

  it('escapes invisible characters and says where they are, in a value or a key', async () => {
    const file = repo.shown('campaigns/spring.yaml');
    await repo.write('campaigns/spring.yaml', campaignYaml('spring').replace('owner: qa', 'ow\u200bner: qa'));
    expect(await messages()).toEqual([
      `${file}:3:1: ["ow\\u200bner"]: unknown property "ow\\u200bner" (did you mean "owner"?); allowed: id, name, owner, status, description, window, timezone, entry, limits, budget, rewards, segments, decision, protection, testers, observability, notify; it holds U+200B ZERO WIDTH SPACE at column 3`,
    ]);
    // Written as an escape in a quoted string, it is named but has no column of its own.
    await repo.write(
      'campaigns/spring.yaml',
      campaignYaml('spring').replace('status: active', 'status: "active\\u200b"'),
    );
    expect(await messages()).toEqual([
      `${file}:4:9: status: must be one of: draft, active, ended (got "active\\u200b"; did you mean "active"?); it holds U+200B ZERO WIDTH SPACE`,
    ]);
  });
});

describe('loadResolvedCampaigns', () => {
  it('resolves every valid campaign, ordered by id', async () => {
    await repo.write('campaigns/b.yaml', campaignYaml('b', WITH_SEGMENT));
    await repo.write('campaigns/a.yaml', campaignYaml('a'));
    const { resolved } = await loadResolvedCampaigns(repo.root);
    expect(resolved.map((r) => [r.definition.id, Object.keys(r.rules)])).toEqual([
      ['a', []],
      ['b', ['new-user']],
    ]);
  });

  it('throws DefinitionsInvalidError carrying every diagnostic when there is an error', async () => {
    await repo.write(
      'campaigns/a.yaml',
      campaignYaml('a').replace('timezone: Asia/Shanghai', 'timezone: Nowhere'),
    );
    const failure = await loadResolvedCampaigns(repo.root).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DefinitionsInvalidError);
    const error = failure as DefinitionsInvalidError;
    expect(error.diagnostics.map(formatDiagnostic)).toEqual([
      `${repo.shown('campaigns/a.yaml')}:6:11: timezone: unknown IANA time zone "Nowhere"; use an IANA name such as Asia/Shanghai or UTC`,
    ]);
    expect(error.message).toContain('invalid definitions (1 error):');
    expect(error.status).toBe(422);
  });

  it('does not fail on warnings', async () => {
    // A window start in UTC on a Shanghai campaign: a warning (UTC may be meant).
    await repo.write(
      'campaigns/a.yaml',
      campaignYaml('a').replace('start: 2026-11-11T00:00:00+08:00', 'start: 2026-11-10T16:00:00Z'),
    );
    const { resolved, set } = await loadResolvedCampaigns(repo.root);
    expect(resolved).toHaveLength(1);
    expect(set.diagnostics.map((d) => d.severity)).toEqual(['warning']);
  });
});
