/**
 * Hostile input (issue 6), one test per line. Each asserts the status (or diagnostic), the error code, and
 * that no grant, counter or version changed — on both backend pairs.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadDefinitions } from '../../../src/definitions/load-definitions';
import { loadResolvedCampaigns } from '../../../src/definitions/load-resolved-campaigns';
import { DefinitionsInvalidError } from '../../../src/definitions/definitions-invalid-error';
import { silentLogger } from '../../../src/observability/logger';
import type { ParticipationGuard } from '../../../src/protection/participation-guard';
import { publishLocalDefinitions } from '../../../src/publishing/publish-local';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  type TestBackends,
} from '../../helpers/pocket';
import { campaignYaml, NOW, profiles, stateOf } from './protection-fixtures';

const URL = '/v1/campaigns/hostile/participations';
const USERS = ['h-1', 'plain-user'];

const VIP_RULES = `rules:
  - id: vip
    conditions:
      all:
        - { fact: profile, path: vip, operator: equal, value: true }
`;

function writeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'pocket-hostile-'));
  mkdirSync(join(root, 'campaigns'));
  mkdirSync(join(root, 'rules'));
  writeFileSync(
    join(root, 'campaigns', 'hostile.yaml'),
    campaignYaml('hostile').replace('  - id: everyone\n', '  - id: vips\n    when: vip\n'),
  );
  writeFileSync(join(root, 'rules', 'vip.yaml'), VIP_RULES);
  return root;
}

/** A copy of `root` with one more file. */
function withFile(root: string, file: string, text: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'pocket-hostile-copy-'));
  cpSync(root, copy, { recursive: true });
  writeFileSync(join(copy, file), text);
  return copy;
}

function aliasBomb(id: string): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  const names = 'abcdefghij';
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1] as string;
    lines.push(`${names[i] as string}: &${names[i] as string} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return `${campaignYaml(id)}bomb:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}

describeEachBackend('hostile input', (backend) => {
  let backends: TestBackends;
  let root: string;
  let pocket: Pocket;
  const scratch: string[] = [];

  beforeAll(async () => {
    backends = await createBackends(backend);
    root = writeRoot();
    pocket = await createTestPocket(backends, {
      clock: () => NOW,
      profiles: profiles({ 'h-1': { vip: true }, 'plain-user': { vip: false, registeredDays: 30 } }),
      config: { definitionsRoot: root },
    });
    // A first grant, so the counters and rows below are not trivially empty.
    const first = await post({ userId: 'h-1', context: { channel: 'app' } });
    expect(first.status).toBe(201);
  });
  afterAll(async () => {
    await pocket?.close();
    await backends?.destroy();
    removeDir(root);
    for (const dir of scratch) removeDir(dir);
  });

  const post = (body: unknown, key = `k-${Math.random()}`) =>
    request(pocket.app)
      .post(URL)
      .set('Idempotency-Key', key)
      .send(body as object);
  const snapshot = () => stateOf(pocket, ['hostile'], USERS);

  /** Runs `attack`, then checks status, error code and that nothing changed. */
  async function refused(
    attack: () => Promise<{ status: number; body: { error?: { code?: string } }; text: string }>,
    status: number,
    code: string,
  ) {
    const before = await snapshot();
    const res = await attack();
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect(await snapshot()).toEqual(before);
    return res;
  }

  it('a body over 8 KB → 413 payload_too_large', async () => {
    await refused(
      () => post({ userId: 'h-1', context: { channel: 'app' }, pad: 'x'.repeat(9000) }),
      413,
      'payload_too_large',
    );
  });

  it('a wrong content type → 415 unsupported_media_type', async () => {
    for (const [type, body] of [
      ['text/plain', JSON.stringify({ userId: 'h-1' })],
      ['application/x-www-form-urlencoded', 'userId=h-1'],
      ['application/xml', '<userId>h-1</userId>'],
    ] as const) {
      await refused(
        () => request(pocket.app).post(URL).set('Idempotency-Key', 'ct').set('Content-Type', type).send(body),
        415,
        'unsupported_media_type',
      );
    }
  });

  it('malformed JSON → 400 invalid_request', async () => {
    for (const text of [
      '{"userId": "h-1",',
      '{userId: h-1}',
      '"h-1"',
      '[]',
      'null',
      '{"userId": "h-1"} trailing',
    ]) {
      await refused(
        () =>
          request(pocket.app)
            .post(URL)
            .set('Idempotency-Key', 'mj')
            .set('Content-Type', 'application/json')
            .send(text),
        400,
        'invalid_request',
      );
    }
  });

  it('__proto__, constructor or prototype keys anywhere → 400, and Object.prototype is untouched', async () => {
    const bodies = [
      '{"userId":"h-1","__proto__":{"polluted":true}}',
      '{"userId":"h-1","context":{"channel":"app","__proto__":{"polluted":true}}}',
      '{"userId":"h-1","constructor":{"prototype":{"polluted":true}}}',
      '{"userId":"h-1","context":{"prototype":{"polluted":true}}}',
      '{"userId":"h-1","x":[{"a":{"__proto__":{"polluted":true}}}]}',
    ];
    for (const text of bodies) {
      await refused(
        () =>
          request(pocket.app)
            .post(URL)
            .set('Idempotency-Key', 'pp')
            .set('Content-Type', 'application/json')
            .send(text),
        400,
        'invalid_request',
      );
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });

  it('over-long strings and ids → 400 invalid_request', async () => {
    const long = 'a'.repeat(129);
    await refused(() => post({ userId: long, context: { channel: 'app' } }), 400, 'invalid_request');
    await refused(
      () => post({ userId: 'h-1', context: { channel: 'app', deviceId: long } }),
      400,
      'invalid_request',
    );
    await refused(
      () => post({ userId: 'h-1', context: { channel: 'a'.repeat(33) } }),
      400,
      'invalid_request',
    );
    await refused(() => post({ userId: 'h-1', activityCode: 'c'.repeat(513) }), 400, 'invalid_request');
    await refused(() => post({ userId: 'h-1' }, 'k'.repeat(129)), 400, 'invalid_request');
    await refused(
      () =>
        request(pocket.app)
          .post(`/v1/campaigns/${'c'.repeat(65)}/participations`)
          .set('Idempotency-Key', 'x')
          .send({ userId: 'h-1' }),
      400,
      'invalid_request',
    );
    await refused(() => request(pocket.app).get(`/v1/users/${long}/grants`), 400, 'invalid_request');
  });

  it('a user id that is a path step (. or ..) → 400 invalid_request: it would rewrite the profile URL', async () => {
    for (const userId of ['.', '..']) {
      const res = await refused(() => post({ userId, context: { channel: 'app' } }), 400, 'invalid_request');
      expect(res.body).toMatchObject({
        error: {
          fields: [
            {
              path: 'userId',
              message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : @ -, not . or .. alone',
            },
          ],
        },
      });
    }
    const res = await refused(
      () => post({ userId: 'h-1', context: { channel: 'App' } }),
      400,
      'invalid_request',
    );
    expect(res.body).toMatchObject({
      error: {
        fields: [
          {
            path: 'context.channel',
            message: 'must be 1-32 lower-case letters, digits and hyphens, e.g. app, h5, mini-program',
          },
        ],
      },
    });
  });

  it('another spelling of a user id (full-width, NFD, spaces, zero-width) → 400; case is kept: two users', async () => {
    const spellings = [
      '\uff48-1',
      'h\u0301-1',
      ' h-1',
      'h-1 ',
      'h-1\n',
      'h-1\u200b',
      '\ufeffh-1',
      'h\u00a0-1',
    ];
    for (const userId of spellings) {
      await refused(() => post({ userId, context: { channel: 'app' } }), 400, 'invalid_request');
    }
    // H-1 is not h-1: its own (unknown, so not VIP) profile answers, and its participation is its own.
    const upper = await post({ userId: 'H-1', context: { channel: 'app' } });
    expect([upper.status, upper.body.outcome]).toEqual([200, 'not_eligible']);
    expect(await pocket.db('participations').where({ user_id: 'H-1' })).toHaveLength(1);
  });

  it('unknown fields → 400 invalid_request naming the field', async () => {
    const res = await refused(() => post({ userId: 'h-1', admin: true }), 400, 'invalid_request');
    expect(res.body).toMatchObject({ error: { fields: [{ path: 'admin', message: 'unknown field' }] } });
    await refused(
      () => post({ userId: 'h-1', context: { channel: 'app', vip: true } }),
      400,
      'invalid_request',
    );
  });

  it('the request context cannot set or override profile facts', async () => {
    // As fields of the body or of the context: refused outright.
    await refused(() => post({ userId: 'plain-user', profile: { vip: true } }), 400, 'invalid_request');
    await refused(
      () => post({ userId: 'plain-user', context: { channel: 'app', profile: { vip: true } } }),
      400,
      'invalid_request',
    );
    await refused(
      () => post({ userId: 'plain-user', context: { channel: 'app', vip: true } }),
      400,
      'invalid_request',
    );
    // Every accepted context field set: the profile source still decides (not a VIP → not_eligible).
    const res = await post({
      userId: 'plain-user',
      context: { channel: 'app', deviceId: 'vip', appVersion: '9.9.9', platform: 'ios', locale: 'zh-CN' },
    });
    expect([res.status, res.body.outcome]).toEqual([200, 'not_eligible']);
    expect(await pocket.db('grants').where({ user_id: 'plain-user' })).toHaveLength(0);
  });

  it('a YAML bomb (nested aliases) is refused by validate and publish, quickly and with bounded memory', async () => {
    const bombRoot = withFile(root, join('campaigns', 'bomb.yaml'), aliasBomb('bomb'));
    scratch.push(bombRoot);
    const versions = await snapshot();
    const heap = heapUsed();
    const set = await loadDefinitions({ root: bombRoot });
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({
        file: expect.stringContaining('bomb.yaml'),
        message: expect.stringContaining('alias bomb'),
      }),
    ]);
    await expect(loadResolvedCampaigns(bombRoot)).rejects.toBeInstanceOf(DefinitionsInvalidError);
    await expect(
      publishLocalDefinitions({ lifecycle: pocket.lifecycle, root: bombRoot, logger: silentLogger() }),
    ).rejects.toBeInstanceOf(DefinitionsInvalidError);
    // Fully expanded, the bomb is 9^10 ≈ 3.5 billion nodes; refusing it costs a few megabytes at most.
    expect(heapUsed() - heap).toBeLessThan(64 * 1024 * 1024);
    expect(await snapshot()).toEqual(versions);
  });

  it('a huge definitions file is refused by validate and publish without being read', async () => {
    const hugeRoot = withFile(
      root,
      join('campaigns', 'huge.yaml'),
      `${campaignYaml('huge')}# ${'x'.repeat(600 * 1024)}\n`,
    );
    scratch.push(hugeRoot);
    const versions = await snapshot();
    const set = await loadDefinitions({ root: hugeRoot });
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('file is too large') }),
    ]);
    await expect(
      publishLocalDefinitions({ lifecycle: pocket.lifecycle, root: hugeRoot, logger: silentLogger() }),
    ).rejects.toBeInstanceOf(DefinitionsInvalidError);
    expect(await snapshot()).toEqual(versions);
  });

  it('a rule with a JSONPath filter, wildcard or script is refused at load', async () => {
    const paths = ['$.tags[?(@.vip == true)]', '$..vip', '$.tags[(@.length-1)]', '$.tags[*]', "$['vip']"];
    const rules = `rules:\n${paths
      .map(
        (p, i) =>
          `  - id: evil-${i}\n    conditions:\n      all:\n        - { fact: profile, path: "${p}", operator: equal, value: true }\n`,
      )
      .join('')}`;
    const evilRoot = withFile(root, join('rules', 'evil.yaml'), rules);
    scratch.push(evilRoot);
    const versions = await snapshot();
    const set = await loadDefinitions({ root: evilRoot });
    const errors = set.diagnostics.filter((d) => d.severity === 'error');
    expect(errors).toHaveLength(paths.length);
    for (const e of errors) expect(e.message).toContain('is not a plain dotted path');
    await expect(
      publishLocalDefinitions({ lifecycle: pocket.lifecycle, root: evilRoot, logger: silentLogger() }),
    ).rejects.toBeInstanceOf(DefinitionsInvalidError);
    expect(await snapshot()).toEqual(versions);
  });

  it('helmet headers are set, and no response carries a stack trace (500 included)', async () => {
    const secretError = new Error('exploded at /srv/pocket/src/secret.ts:42 password=hunter2');
    const throwing: ParticipationGuard = {
      rateLimit: () => Promise.reject(secretError),
      authorize: () => Promise.resolve({ codeNonce: null }),
      screen: () => Promise.resolve({ action: 'allow', decisions: {} }),
    };
    const broken = await createTestPocket(backends, {
      clock: () => NOW,
      guard: throwing,
      config: { definitionsRoot: root },
    });
    try {
      const before = await snapshot();
      const answers = [
        await request(pocket.app).get('/healthz'),
        await request(pocket.app).get('/v1/campaigns/hostile'),
        await request(pocket.app).get('/no/such/route'),
        await post({ userId: 'h-1', admin: true }),
        await request(pocket.app).post(URL).set('Content-Type', 'application/json').send('{'),
        await request(broken.app)
          .post(URL)
          .set('Idempotency-Key', 'boom')
          .send({ userId: 'h-1', context: { channel: 'app' } }),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 400, 400, 500]);
      expect(answers[5]?.body).toEqual({ error: { code: 'internal_error', message: 'internal error' } });
      for (const res of answers) {
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['x-powered-by']).toBeUndefined();
        expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+|hunter2|node_modules|Error:/);
      }
      expect(await snapshot()).toEqual(before);
    } finally {
      await broken.close();
    }
  });
});
