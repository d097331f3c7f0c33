import { promises as fs } from 'fs';
import os from 'os';
import path from 'path';
import { positionOf } from '../../../src/definitions/node-position';
import { MAX_ALIAS_COUNT, parseYaml } from '../../../src/definitions/parse-yaml';
import { MAX_FILE_BYTES, readYamlFile } from '../../../src/definitions/read-yaml-file';

function problems(text: string): string[] {
  return parseYaml(text, 'f.yaml').diagnostics.map((d) => `${d.line}:${d.col} ${d.path}: ${d.message}`);
}

describe('parseYaml', () => {
  it('uses the core schema: dates and yes/no stay strings, numbers are numbers', () => {
    const parsed = parseYaml('at: 2026-11-11T00:00:00+08:00\nflag: yes\nn: 1.0\nhex: 0x10\n', 'f.yaml');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.data).toEqual({ at: '2026-11-11T00:00:00+08:00', flag: 'yes', n: 1, hex: 16 });
  });

  it('refuses duplicate keys, each at its second occurrence', () => {
    expect(problems('a: 1\nb: { c: 1, c: 2 }\na: 3\n')).toEqual([
      // Where the first one is, as duplicate segment and rule ids say.
      '2:12 b.c: duplicate key "c"; a key may appear only once in a map; the first is at 2:6',
      '3:1 a: duplicate key "a"; a key may appear only once in a map; the first is at 1:1',
    ]);
  });

  it('refuses custom tags instead of constructing anything', () => {
    expect(problems('a: !!js/function "return 1"\n')).toEqual([
      '1:4 a: unsupported tag: only plain YAML (core schema) is accepted',
    ]);
  });

  it('refuses YAML 1.1 tags (!!timestamp, !!binary, !!set, !!omap, !!pairs) like any other non-core tag', () => {
    const text = [
      'a: !!timestamp 2026-01-01',
      'b: !!binary aGVsbG8=',
      'c: !!set { x }',
      'd: !!omap [x: 1]',
      'e: !!pairs [x: 1]',
      'f: !custom x',
      '',
    ].join('\n');
    expect(problems(text)).toEqual(
      ['1:4 a', '2:4 b', '3:4 c', '4:4 d', '5:4 e', '6:4 f'].map(
        (at) => `${at}: unsupported tag: only plain YAML (core schema) is accepted`,
      ),
    );
  });

  it('still takes the core tags', () => {
    const parsed = parseYaml(
      'a: !!str 5\nb: !!int "7"\nc: !!map { x: !!null }\nd: !!seq [!!bool true]\n',
      'f.yaml',
    );
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.data).toEqual({ a: '5', b: 7, c: { x: null }, d: [true] });
  });

  it('refuses a second document', () => {
    expect(problems('a: 1\n---\nb: 2\n')).toEqual([
      '2:1 (root): a file must hold a single YAML document (found a second one after "---")',
    ]);
  });

  it('reports only the first syntax error, not its echoes', () => {
    expect(problems('a: { b: [1, 2 }\nc: 3\n')).toHaveLength(1);
  });

  it('refuses absurdly deep nesting with a message, not a crash', () => {
    expect(problems(`a: ${'{ b: '.repeat(5000)}1${' }'.repeat(5000)}\n`)).toEqual([
      '1:1 (root): the document is nested too deeply',
    ]);
  });

  it('accepts modest aliases but refuses an alias bomb', () => {
    const modest = parseYaml('base: &b { x: 1 }\nc1: *b\nc2: *b\n', 'f.yaml');
    expect(modest.diagnostics).toEqual([]);
    expect(modest.data).toEqual({ base: { x: 1 }, c1: { x: 1 }, c2: { x: 1 } });
    const bomb = ['a: &a [x, x, x, x, x, x, x, x]'];
    for (const name of ['b', 'c', 'd', 'e']) {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      bomb.push(`${name}: &${name} [${Array(8).fill(`*${previous}`).join(', ')}]`);
    }
    expect(problems(bomb.join('\n'))).toEqual([
      `2:8 b[0]: aliases expand too much (limit ${MAX_ALIAS_COUNT}): refusing what looks like an alias bomb`,
    ]);
  });

  it('reports an undefined alias at that alias, not as an alias bomb at the first alias', () => {
    const text = [
      'base: &new { fact: profile, path: registeredDays, operator: lessThan, value: 7 }',
      'rules:',
      '  - { id: a, conditions: { all: [ *new ] } }',
      '  - { id: b, conditions: { all: [ *missing ] } }',
      '  - { id: c, conditions: { all: [ *later ] } }',
      'tail: &later 1',
    ].join('\n');
    expect(problems(text)).toEqual([
      '4:35 rules[1].conditions.all[0]: unknown alias "*missing": no anchor &missing is defined before it',
      '5:35 rules[2].conditions.all[0]: unknown alias "*later": no anchor &later is defined before it',
    ]);
  });

  it('says where an unclosed quote was opened, not only where the file ends', () => {
    const text = 'id: new-user\nname: "New user coupon pack\nowner: qa\nstatus: active\n\n';
    expect(problems(text)).toEqual([
      '6:1 (root): invalid YAML: Missing closing "quote; the quote opened at 2:7 is never closed',
    ]);
    expect(problems("a: 1\nb: 'open\n")).toEqual([
      "3:1 (root): invalid YAML: Missing closing 'quote; the quote opened at 2:4 is never closed",
    ]);
  });

  it('says which lines to re-indent, and names a tab hidden after spaces', () => {
    const hint =
      'the keys of one map start in the same column, and a nested map or list is indented further than its parent key';
    // An over-indented key reads as the end of a multi-line key on the line before: both lines are named, and
    // the path stops at the segment's id rather than at that merged key.
    expect(problems('segments:\n  - id: new-users\n      when: new-user\n    rewards: []\n')).toEqual([
      `2:9 segments[0].id: invalid YAML: Nested mappings are not allowed in compact mappings; check the indentation of lines 2-3: ${hint}`,
    ]);
    // A key indented too little: the parser says column 1, among the blanks; the key is where to look.
    expect(problems('a:\n  b: 1\n c: 2\n')).toEqual([
      `3:2 (root): invalid YAML: All mapping items must start at the same column; check the indentation of line 3: ${hint}`,
    ]);
    expect(problems('rules:\n  - id: a\n  \tconditions: {}\n')).toEqual([
      '3:4 (root): invalid YAML: All mapping items must start at the same column; line 3 has a tab in its indentation: indent with spaces only',
    ]);
    expect(problems('segments:\n  - id: a\n   when: b\n')).toEqual([
      `3:4 segments: invalid YAML: Sequence item without - indicator; check the indentation of line 3: ${hint}`,
    ]);
  });

  it('drops the duplicate key an indentation mistake makes on its own line, but keeps real duplicates', () => {
    // `rewards:` moved up to the list's column joins the map that already has one: the indentation error
    // explains it, and "duplicate key" alone would send the reader looking for a second rewards list.
    const segments = [
      'rewards: []',
      'segments:',
      '  - id: everyone',
      '  rewards:',
      '      - { reward: thanks, weight: 1 }',
      '',
    ].join('\n');
    expect(problems(segments)).toEqual([
      '4:3 (root): invalid YAML: All mapping items must start at the same column; check the indentation of lines 4-5: the keys of one map start in the same column, and a nested map or list is indented further than its parent key',
    ]);
    // A duplicate on another line is its own mistake.
    expect(problems(`${segments}rewards: []\n`).slice(1)).toEqual([
      '6:1 rewards: duplicate key "rewards"; a key may appear only once in a map; the first is at 1:1',
    ]);
  });

  // "Implicit keys need to be on a single line; check the indentation" for a comma left out of a { … } map.
  it('names a comma left out between the entries of a { … } map, on one line or over several', () => {
    expect(problems('s: [{ reward: c-1 weight: 60 }]\n')).toEqual([
      '1:15 s[0].reward: invalid YAML: missing "," before "weight": the entries of a { … } map are separated by commas, so write c-1, weight: …',
    ]);
    expect(problems('rewards:\n  - { id: c, type: coupon,\n      cost: 320\n      stock: 5 }\n')).toEqual([
      '3:13 rewards[0].cost: invalid YAML: missing "," at the end of this line, before "stock" on the next: the entries of a { … } map are separated by commas',
    ]);
    // Outside a { … } the same line is the block style's slip (missing ": "), said as before, an apostrophe in
    // plain text earlier (`Bob's pick`) opening nothing.
    expect(problems('a: 1\nowner growth-team\nb: 2\n')[0]).toContain('missing ": " after the key "owner"');
    const apostrophes =
      "s:\n  - { id: a, description: Bob's pick }\n  - { id: b }\nowner growth-team\nname: y\n";
    expect(problems(apostrophes)[0]).toContain('missing ": " after the key "owner"');
    expect(problems("name: Women's day\ns:\n  - { id: c-1, type: none weight: 60 }\n")[0]).toContain(
      'missing "," before "weight"',
    );
    expect(problems('x: [\n a\n b: 1\n]\n')[0]).toContain(
      'the items of a [ … ] list are separated by commas',
    );
  });

  it('says a key lacks its ": " when the source line shows it, instead of blaming the indentation', () => {
    expect(problems('a: 1\nowner growth-team\nb: 2\n')).toEqual([
      '2:1 (root): invalid YAML: missing ": " after the key "owner": write owner: growth-team',
    ]);
    expect(problems('a: 1\nowner:growth-team\n')).toEqual([
      '2:1 (root): invalid YAML: missing ": " after the key "owner": write owner: growth-team',
    ]);
    expect(problems('segments:\n  - id: a\n    when new-user # old rule\n    rewards: []\n')).toEqual([
      '3:5 segments[0]: invalid YAML: missing ": " after the key "when": write when: new-user',
    ]);
    expect(problems('a: 1\nsegments\n  - id: x\nb: 2\n')).toEqual([
      '2:1 (root): invalid YAML: missing ":" after the key "segments"',
    ]);
  });

  it('says a value holding ": " must be quoted, showing it quoted', () => {
    expect(problems('id: x\nname: Sale: 50% off # spring\n')).toEqual([
      '2:7 name: invalid YAML: a value holding ": " must be quoted: name: "Sale: 50% off"',
    ]);
    expect(problems('rewards:\n  - name: Note: "best" deal\n    id: r\n')).toEqual([
      '2:11 rewards[0].name: invalid YAML: a value holding ": " must be quoted: name: "Note: \\"best\\" deal"',
    ]);
  });

  it('names a non-breaking space in the indentation, which YAML reads as text', () => {
    expect(problems('segments:\n  - id: a\n\u00a0 - id: b\n    when: x\n')).toEqual([
      '3:9 ["\\u00a0 - id"]: invalid YAML: Nested mappings are not allowed in compact mappings; line 3 has a non-breaking space (U+00A0) in its indentation: use plain spaces',
    ]);
    expect(problems('a:\n  b: 1\n\u3000c: 2\n  d: x\n')[0]).toMatch(
      /; line 3 has U\+3000 IDEOGRAPHIC SPACE in its indentation: use plain spaces$/,
    );
  });

  it('refuses YAML merge keys at the key, and takes a quoted "<<" as the plain key it is', () => {
    expect(problems('base: &b { x: 1 }\nc:\n  <<: *b\n  y: 2\n')).toEqual([
      '3:3 c["<<"]: YAML merge keys ("<<") are not supported: write the keys out in this map',
    ]);
    expect(problems('c: { <<: {x: 1} }\n')).toEqual([
      '1:6 c["<<"]: YAML merge keys ("<<") are not supported: write the keys out in this map',
    ]);
    const quoted = parseYaml('c: { "<<": 1 }\n', 'f.yaml');
    expect(quoted.diagnostics).toEqual([]);
    expect(quoted.data).toEqual({ c: { '<<': 1 } });
  });

  it('says where an unclosed flow map was opened (the outer one, not a closed inner one)', () => {
    const text = 'id: x\nlimits: { perUser: { total: 1, daily: 1 }\nowner: qa\n';
    expect(problems(text)).toEqual([
      '3:1 owner: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }; the { opened at 2:9 is never closed',
    ]);
  });
});

describe('positionOf', () => {
  const text = [
    'segments:', //                      1
    '  - id: a', //                      2
    '    rewards:', //                   3
    '      - { reward: x, weight: 2 }', // 4
    '  - id: b', //                      5
    '    when:', //                      6
  ].join('\n');
  const { document, lineCounter } = parseYaml(text, 'f.yaml');
  const at = (p: (string | number)[], where?: 'key' | 'value') => positionOf(document, lineCounter, p, where);

  it('maps a document path to the line and column of its value', () => {
    expect(at(['segments', 0, 'rewards', 0, 'weight'])).toEqual({ line: 4, col: 30 });
  });

  it('can point at the key instead', () => {
    expect(at(['segments', 0, 'rewards', 0, 'weight'], 'key')).toEqual({ line: 4, col: 22 });
  });

  it('falls back to the closest existing parent for a missing node', () => {
    expect(at(['segments', 1, 'rewards', 0])).toEqual({ line: 5, col: 5 });
    expect(at(['segments', 7])).toEqual({ line: 2, col: 3 });
  });

  it('points at the key of a property without a value', () => {
    expect(at(['segments', 1, 'when'], 'key')).toEqual({ line: 6, col: 5 });
  });

  it('points at 1:1 for an empty document', () => {
    const empty = parseYaml('', 'f.yaml');
    expect(positionOf(empty.document, empty.lineCounter, ['id'])).toEqual({ line: 1, col: 1 });
  });
});

describe('readYamlFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pocket-read-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses a file over the size cap without parsing it', async () => {
    const file = path.join(dir, 'huge.yaml');
    await fs.writeFile(file, `description: "${'x'.repeat(MAX_FILE_BYTES)}"\n`);
    expect(await readYamlFile(file, 'huge.yaml')).toEqual({
      file: 'huge.yaml',
      line: 1,
      col: 1,
      path: '(root)',
      message: 'file is too large (512.0 KiB; the limit is 512 KiB): split it or trim it',
      severity: 'error',
    });
  });

  it('refuses bytes that are not UTF-8, at the first bad byte, instead of decoding them to U+FFFD', async () => {
    const file = path.join(dir, 'latin1.yaml');
    const bytes = [
      Buffer.from('id: new-user\nnote: "\uFFFD is fine"\nname: New user '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' coupon pack\n'),
    ];
    await fs.writeFile(file, Buffer.concat(bytes));
    expect(await readYamlFile(file, 'latin1.yaml')).toEqual({
      file: 'latin1.yaml',
      line: 3,
      col: 16,
      path: '(root)',
      message: 'file is not valid UTF-8 (byte 0xff): save it as UTF-8',
      severity: 'error',
    });
  });

  it('points at the start of a truncated multi-byte sequence', async () => {
    const file = path.join(dir, 'truncated.yaml');
    await fs.writeFile(
      file,
      Buffer.concat([Buffer.from('a: \u00e9\u00e9'), Buffer.from([0xe2, 0x82]), Buffer.from('x\n')]),
    );
    expect(await readYamlFile(file, 'truncated.yaml')).toMatchObject({
      line: 1,
      col: 6,
      message: 'file is not valid UTF-8 (byte 0xe2): save it as UTF-8',
    });
  });

  it('keeps valid UTF-8, a byte order mark included', async () => {
    const file = path.join(dir, 'bom.yaml');
    await fs.writeFile(file, '\uFEFFname: Prix \u00e9t\u00e9 \u{1F381}\n');
    expect(await readYamlFile(file, 'bom.yaml')).toMatchObject({
      diagnostics: [],
      data: { name: 'Prix \u00e9t\u00e9 \u{1F381}' },
    });
  });

  it('reports a missing file as a diagnostic', async () => {
    const result = await readYamlFile(path.join(dir, 'nope.yaml'), 'nope.yaml');
    expect(result).toMatchObject({ file: 'nope.yaml', message: 'no such file' });
  });
});
