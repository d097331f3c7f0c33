/**
 * The embedded profile source (issue 3: "profile from a profiles file"): JSON Lines of `{ userId, profile }`
 * read once; an unknown user, or no file at all, gives `{}` (ProfileSource's contract); a malformed line stops
 * startup with an error that names `file:line:1`.
 */
import { join } from 'node:path';
import { FileProfileSource } from '../../../src/integrations/file-profile-source';
import { tempRepo, type TempRepo } from '../definitions/temp-repo';

describe('FileProfileSource', () => {
  let dir: TempRepo;
  let file: string;
  const write = (lines: string[]) => dir.write('profiles.jsonl', lines.join('\n'));

  beforeEach(async () => {
    dir = await tempRepo();
    file = join(dir.root, 'profiles.jsonl');
  });
  afterEach(() => dir.remove());

  it('gives each user the profile of their line, blank lines skipped', async () => {
    await write([
      JSON.stringify({ userId: 'u-1', profile: { gender: 'female', age: 22, interests: ['kids'] } }),
      '',
      '   ',
      JSON.stringify({ userId: 'u-2', profile: { registeredDays: 400, vip: true } }),
      '',
    ]);
    const source = new FileProfileSource(file);
    expect(await source.profile('u-1')).toEqual({ gender: 'female', age: 22, interests: ['kids'] });
    expect(await source.profile('u-2')).toEqual({ registeredDays: 400, vip: true });
  });

  it('reads the file once, when it is built', async () => {
    await write([JSON.stringify({ userId: 'u-1', profile: { vip: true } })]);
    const source = new FileProfileSource(file);
    await write([JSON.stringify({ userId: 'u-1', profile: { vip: false } })]);
    expect(await source.profile('u-1')).toEqual({ vip: true });
  });

  it('gives an unknown user an empty profile', async () => {
    await write([JSON.stringify({ userId: 'u-1', profile: { vip: true } })]);
    expect(await new FileProfileSource(file).profile('stranger')).toEqual({});
  });

  it('gives everyone an empty profile when there is no file (the embedded default needs none)', async () => {
    const source = new FileProfileSource(join(dir.root, 'missing.jsonl'));
    expect(await source.profile('u-1')).toEqual({});
  });

  it('names the file and line of a line that is not JSON', async () => {
    await write([JSON.stringify({ userId: 'u-1', profile: {} }), '', '{"userId": "u-3", "profile": {']);
    expect(() => new FileProfileSource(file)).toThrow(new Error(`${file}:3:1: not valid JSON`));
  });

  it.each([
    ['no userId', { profile: {} }],
    ['a numeric userId', { userId: 7, profile: {} }],
    ['no profile', { userId: 'u-2' }],
    ['a null profile', { userId: 'u-2', profile: null }],
    ['a string profile', { userId: 'u-2', profile: 'vip' }],
    ['an array for an object', ['u-2', {}]],
    ['a null line', null],
  ])('names the file and line of an entry with %s', async (_, entry) => {
    await write([JSON.stringify({ userId: 'u-1', profile: {} }), JSON.stringify(entry)]);
    expect(() => new FileProfileSource(file)).toThrow(
      new Error(`${file}:2:1: expected { "userId": string, "profile": object }`),
    );
  });
});
