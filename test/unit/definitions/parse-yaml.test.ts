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
      '2:12 b.c: duplicate key "c"; a key may appear only once in a map',
      '3:1 a: duplicate key "a"; a key may appear only once in a map',
    ]);
  });

  it('refuses custom tags instead of constructing anything', () => {
    expect(problems('a: !!js/function "return 1"\n')).toEqual([
      '1:4 a: unsupported tag: only plain YAML (core schema) is accepted',
    ]);
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

  it('reports a missing file as a diagnostic', async () => {
    const result = await readYamlFile(path.join(dir, 'nope.yaml'), 'nope.yaml');
    expect(result).toMatchObject({ file: 'nope.yaml', message: 'no such file' });
  });
});
