import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatedUser } from '../../../src/simulation/evaluate-participant';
import { countUsers, parseUserLine, readUsersFile, UsersFileError } from '../../../src/simulation/users-file';

const WHERE = 'users.jsonl:7';

function errorOf(line: string): string {
  try {
    parseUserLine(line, WHERE);
  } catch (error) {
    expect(error).toBeInstanceOf(UsersFileError);
    return (error as Error).message;
  }
  throw new Error(`parseUserLine accepted ${line}`);
}

describe('parseUserLine', () => {
  it('reads userId, profile, context and history', () => {
    expect(
      parseUserLine(
        '{"userId":"u1","profile":{"age":22},"context":{"channel":"app"},"history":{"grants":1}}',
        WHERE,
      ),
    ).toEqual({ userId: 'u1', profile: { age: 22 }, context: { channel: 'app' }, history: { grants: 1 } });
  });

  it('defaults a missing profile and context to {} and leaves history out', () => {
    const user = parseUserLine('{"userId":"u2"}', WHERE);
    expect(user).toEqual({ userId: 'u2', profile: {}, context: {} });
    expect('history' in user).toBe(false);
  });

  it.each([
    // line:col like every other error: V8's "at position N" becomes column N + 1, and its echo of the line goes.
    ['{"userId": "u1",', 'users.jsonl:7:17: not valid JSON (Expected double-quoted property name)'],
    ['{"userId": "u1"', "users.jsonl:7:16: not valid JSON (Expected ',' or '}' after property value)"],
    [
      '{"userId":"a","profile":{}, }',
      'users.jsonl:7:29: not valid JSON (Expected double-quoted property name)',
    ],
    ['{"userId":', 'users.jsonl:7:11: not valid JSON (Unexpected end of JSON input)'],
    ['not json', "users.jsonl:7:2: not valid JSON (Unexpected token 'o')"],
    ['{"userId":"u1","n":tru}', "users.jsonl:7:23: not valid JSON (Unexpected token '}')"],
    ['{"userId":\u00a0"u1"}', "users.jsonl:7:11: not valid JSON (Unexpected token '\\u00a0')"],
    ['[{"userId":"u1"}]', 'users.jsonl:7: expected a JSON object'],
    ['null', 'users.jsonl:7: expected a JSON object'],
    ['"u1"', 'users.jsonl:7: expected a JSON object'],
    [
      '{"userId":"u1","profil":{}}',
      'users.jsonl:7: unknown field "profil" (did you mean "profile"?); allowed: userId, profile, context, history',
    ],
    // As the HTTP API refuses a body that repeats a key: JSON.parse keeps the last, other tools the first.
    [
      '{"userId":"u1","profile":{"age":22,"age":23}}',
      'users.jsonl:7: the key "age" appears more than once in one object',
    ],
    ['{"profile":{}}', 'users.jsonl:7: "userId" must be a non-empty string'],
    ['{"userId":""}', 'users.jsonl:7: "userId" must be a non-empty string'],
    ['{"userId":42}', 'users.jsonl:7: "userId" must be a non-empty string'],
    ['{"userId":"u1","profile":[]}', 'users.jsonl:7: "profile" must be an object'],
    ['{"userId":"u1","profile":null}', 'users.jsonl:7: "profile" must be an object'],
    ['{"userId":"u1","context":"app"}', 'users.jsonl:7: "context" must be an object'],
    ['{"userId":"u1","history":3}', 'users.jsonl:7: "history" must be an object'],
    [
      '{"userId":"u1","context":{"chanel":"app"}}',
      'users.jsonl:7: context: unknown field "chanel" (did you mean "channel"?); allowed: channel, deviceId, appVersion, platform, locale, ip',
    ],
    ['{"userId":"u1","context":{"channel":5}}', 'users.jsonl:7: context: "channel" must be a string (got 5)'],
    [
      '{"userId":"u1","history":{"grant":1}}',
      'users.jsonl:7: history: unknown field "grant" (did you mean "grants"?); allowed: participations, grants, grantsToday, rewards',
    ],
    [
      '{"userId":"u1","history":{"grantsToday":-1}}',
      'users.jsonl:7: history: "grantsToday" must be a whole number, 0 or more (got -1)',
    ],
    [
      '{"userId":"u1","history":{"rewards":{"rp":"2"}}}',
      'users.jsonl:7: history: "rewards.rp" must be a whole number, 0 or more (got "2"); write numbers without quotes',
    ],
  ])('refuses %s', (line, message) => {
    expect(errorOf(line)).toBe(message);
  });

  it('refuses a history reward the campaign does not have, when the campaign is given', () => {
    const line = '{"userId":"u1","history":{"rewards":{"rp-bgi":1}}}';
    const campaign = { campaign: 'rain', known: ['rp-big', 'thanks'] };
    expect(() => parseUserLine(line, 'users.jsonl:3', campaign)).toThrow(
      /^users\.jsonl:3: history: .*"rp-bgi".*rain.*rp-big/,
    );
    expect(
      parseUserLine('{"userId":"u1","history":{"rewards":{"rp-big":1}}}', 'x', campaign).history,
    ).toEqual({
      rewards: { 'rp-big': 1 },
    });
  });
});

describe('readUsersFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-users-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  async function readAll(path: string): Promise<SimulatedUser[]> {
    const users: SimulatedUser[] = [];
    for await (const u of readUsersFile(path)) users.push(u);
    return users;
  }

  it('streams one user per non-blank line, CRLF or LF, and counts the same users', async () => {
    const path = file('ok.jsonl', '{"userId":"a"}\r\n\r\n  \n{"userId":"b","profile":{"age":30}}\n');
    expect(await readAll(path)).toEqual([
      { userId: 'a', profile: {}, context: {} },
      { userId: 'b', profile: { age: 30 }, context: {} },
    ]);
    expect(await countUsers(path)).toBe(2);
  });

  it('names the file and the line number of a bad line, counting blank lines', async () => {
    const path = file('bad.jsonl', '{"userId":"a"}\n\n{"userId":"b","extra":1}\n{"userId":"c"}\n');
    const seen: string[] = [];
    const read = async () => {
      for await (const u of readUsersFile(path)) seen.push(u.userId);
    };
    await expect(read()).rejects.toThrow(
      new UsersFileError(`${path}:3: unknown field "extra"; allowed: userId, profile, context, history`),
    );
    expect(seen).toEqual(['a']);
  });

  // An editor's BOM in front of the first line was "not valid JSON (Unexpected token '\ufeff')".
  it('skips a BOM in front of the first line', async () => {
    const path = file('bom.jsonl', '\uFEFF{"userId":"a"}\n{"userId":"b"}\n');
    expect((await readAll(path)).map((u) => u.userId)).toEqual(['a', 'b']);
  });

  it('counts an empty file as no users', async () => {
    const path = file('empty.jsonl', '');
    expect(await countUsers(path)).toBe(0);
    expect(await readAll(path)).toEqual([]);
  });
});
