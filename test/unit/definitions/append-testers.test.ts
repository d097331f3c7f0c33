import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { appendTesters, flowYaml, yamlScalar } from '../../../src/definitions/append-testers';

const REPO = join(__dirname, '../../..');
/** prettier with the repository's own configuration (a child process: prettier 3 is ESM-only inside). */
function format(text: string): string {
  return execFileSync(
    process.execPath,
    [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', join(REPO, 'campaigns', 'x.yaml')],
    {
      input: text,
      cwd: REPO,
      encoding: 'utf8',
    },
  );
}

const alice = { userId: 'qa-alice', profile: { gender: 'female', age: 22, tags: ['vip', 'new'] } };

/** What was there before is still there, byte for byte, around the inserted lines. */
function expectOnlyInserted(before: string, after: string): string {
  let head = 0;
  while (head < before.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail])
    tail++;
  expect(before.slice(0, head) + before.slice(before.length - tail)).toBe(before);
  return after.slice(head, after.length - tail);
}

describe('appendTesters', () => {
  it.each(['city-voucher-drive', 'double11-red-packet-rain', 'new-user-coupon-pack'])(
    'adds to %s.yaml keeping every comment and line, readable back, prettier-clean',
    (id) => {
      const before = readFileSync(join(REPO, 'campaigns', `${id}.yaml`), 'utf8');
      const after = appendTesters(before, [
        alice,
        { ...alice, userId: 'qa-bob', note: 'send context {"channel":"app"}' },
      ]);
      const inserted = expectOnlyInserted(before, after);
      expect(inserted).toContain(
        '- { userId: qa-alice, profile: { gender: female, age: 22, tags: [vip, new] } }',
      );
      expect(inserted).toContain('# send context {"channel":"app"}');
      const data = parse(after) as { testers: unknown[] };
      const old = (parse(before) as { testers?: unknown[] }).testers ?? [];
      expect(data.testers).toEqual([
        ...old,
        { userId: alice.userId, profile: alice.profile },
        { userId: 'qa-bob', profile: alice.profile },
      ]);
      expect(format(after)).toBe(after);
    },
  );

  it('creates the testers key before observability when there is none', () => {
    const before = '# header comment\nid: x # trailing\nrewards: []\nobservability: { trace: testers }\n';
    const after = appendTesters(before, [alice]);
    expect(after).toBe(
      '# header comment\nid: x # trailing\nrewards: []\ntesters:\n' +
        '  - { userId: qa-alice, profile: { gender: female, age: 22, tags: [vip, new] } }\n' +
        'observability: { trace: testers }\n',
    );
    expect(appendTesters('id: x', [alice])).toBe(
      'id: x\ntesters:\n  - { userId: qa-alice, profile: { gender: female, age: 22, tags: [vip, new] } }\n',
    );
  });

  it('turns an empty or flow testers value into a block sequence, keeping the rest', () => {
    expect(appendTesters('id: x\ntesters: []\nnotify: { on: [] }\n', [alice])).toBe(
      'id: x\ntesters:\n  - { userId: qa-alice, profile: { gender: female, age: 22, tags: [vip, new] } }\nnotify: { on: [] }\n',
    );
    const flow = appendTesters('id: x\ntesters: [{ userId: a, profile: {} }] # mine\n', [alice]);
    expect(parse(flow)).toEqual({ id: 'x', testers: [{ userId: 'a', profile: {} }, alice] });
    // The comment after the value stays, on the `testers:` line (it was dropped).
    expect(flow.split('\n')[1]).toBe('testers:  # mine');
    expect(appendTesters('id: x\ntesters: []  # none yet\n', [alice]).split('\n')[1]).toBe(
      'testers:  # none yet',
    );
  });

  // The added lines ended in a bare LF in a CRLF file, which then had mixed line endings.
  it('writes the lines it adds with the line endings of a CRLF file', () => {
    const before = readFileSync(join(REPO, 'campaigns', 'city-voucher-drive.yaml'), 'utf8').replace(
      /\n/g,
      '\r\n',
    );
    const after = appendTesters(before, [alice]);
    expect(after.split('\n').every((line, i, all) => i === all.length - 1 || line.endsWith('\r'))).toBe(true);
    expectOnlyInserted(before, after);
    for (const before of ['id: x\r\ntesters: []\r\n', 'id: x\r\n'])
      expect(appendTesters(before, [alice])).not.toMatch(/[^\r]\n/);
  });

  // `testers:` with nothing after it was refused as "not a sequence" (a null scalar node, not JS null).
  it('fills an empty testers key', () => {
    expect(appendTesters('id: x\ntesters:\nnotify: { on: [] }\n', [alice])).toBe(
      'id: x\ntesters:\n  - { userId: qa-alice, profile: { gender: female, age: 22, tags: [vip, new] } }\nnotify: { on: [] }\n',
    );
  });

  it('writes a long entry in block style within 110 columns', () => {
    const long = {
      userId: 'qa-long',
      profile: { bio: 'x'.repeat(70), city: 'hz', interests: ['kids', 'home'] },
    };
    const after = appendTesters('testers:\n  - { userId: a, profile: {} }\n', [long]);
    expect(after.split('\n').every((l) => l.length <= 110)).toBe(true);
    expect(parse(after)).toEqual({ testers: [{ userId: 'a', profile: {} }, long] });
    expect(format(after)).toBe(after);
  });

  it('quotes exactly the scalars that need it', () => {
    const tricky = [
      'yes',
      'true',
      '123',
      '',
      'a: b',
      'x,y',
      '[z]',
      "it's",
      '#tag',
      '-dash',
      'line\nbreak',
      ' pad',
      'null',
      '1e3',
      'plain-value',
    ];
    for (const value of tricky)
      expect([value, parse(`v: ${yamlScalar(value)}`)]).toEqual([value, { v: value }]);
    expect(yamlScalar('plain-value')).toBe('plain-value');
    expect(yamlScalar('true')).toBe("'true'");
    expect(parse(flowYaml({ 'a:b': ['x,y', 1, true, null], n: { m: "it's" } }))).toEqual({
      'a:b': ['x,y', 1, true, null],
      n: { m: "it's" },
    });
  });

  it('refuses YAML it cannot edit safely', () => {
    expect(() => appendTesters('id: [unclosed\n', [alice])).toThrow(/cannot edit invalid YAML/);
    expect(() => appendTesters('- a\n- b\n', [alice])).toThrow(/must be a mapping/);
    expect(() => appendTesters('testers: { a: 1 }\n', [alice])).toThrow(/must be a sequence/);
  });
});
