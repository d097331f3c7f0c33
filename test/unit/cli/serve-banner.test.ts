/**
 * `pocket serve`'s boot banner (logBanner) says what a new operator would otherwise find out the hard way:
 * where profiles come from, that no worker delivers grants in this process, and whether the secrets were
 * generated now or reused. test/e2e/cli/serve.test.ts checks the warn level end to end.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { logBanner, tryIt } from '../../../cli/serve';
import type { CampaignSnapshot } from '../../../src/publishing/campaign-snapshot';

function banner(env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), 'pocket-banner-'))) {
  const lines: Array<{ level: 'info' | 'warn'; msg: string }> = [];
  logBanner(
    {
      info: (msg: string) => lines.push({ level: 'info', msg }),
      warn: (msg: string) => lines.push({ level: 'warn', msg }),
    } as unknown as Parameters<typeof logBanner>[0],
    loadConfig(env, cwd),
  );
  return lines;
}

const NO_WORKER = 'no delivery worker in this process: run `pocket worker` (or POCKET_WORKER=true)';

describe('logBanner', () => {
  it('warns when this process runs no delivery worker (the PostgreSQL default)', () => {
    const lines = banner({ DATABASE_URL: 'postgres://u@h/db' });
    expect(lines).toContainEqual({ level: 'warn', msg: expect.stringContaining(NO_WORKER) as unknown });
    expect(banner({ POCKET_WORKER: 'false' }).map((l) => l.msg)).toContainEqual(
      expect.stringContaining(NO_WORKER),
    );
  });

  it('says nothing about the worker when it runs in this process (the embedded default)', () => {
    expect(banner({}).map((l) => l.msg)).not.toContainEqual(expect.stringContaining('no delivery worker'));
  });

  it('says where profiles come from: the file (how many), no file, or PROFILE_URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pocket-banner-'));
    const file = join(dir, 'data', 'profiles.jsonl');
    expect(banner({}, dir)).toContainEqual({
      level: 'info',
      msg: `profiles: no file at ${file}: non-testers have empty profiles`,
    });
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(file, '{"userId":"u1","profile":{}}\n\n{"userId":"u2","profile":{"vip":true}}\n');
    expect(banner({}, dir)).toContainEqual({
      level: 'info',
      msg: `profiles: 2 loaded from ${file} (read once, at boot)`,
    });
    // (A PROFILE_URL with credentials is refused by loadConfig: fetch cannot call it.)
    expect(banner({ PROFILE_URL: 'https://profiles.internal:8443/v1' }, dir)).toContainEqual({
      level: 'info',
      msg: 'profiles: PROFILE_URL https://profiles.internal:8443/v1',
    });
  });

  it('warns in production when user tokens are accepted whatever their aud or iss', () => {
    const production = {
      NODE_ENV: 'production',
      ACTIVITY_CODE_SECRET: 'a'.repeat(32),
      WEBHOOK_SECRET: 'w'.repeat(32),
      USER_TOKEN_SECRET: 'u'.repeat(32),
    };
    const warned = (env: Record<string, string>) =>
      banner({ ...production, ...env }).filter((l) => l.level === 'warn' && l.msg.startsWith('user tokens:'));
    const any = (claims: string) =>
      `any HS256 token signed with USER_TOKEN_SECRET is accepted whatever its ${claims}, ` +
      'one minted for another app by an identity service that shares the secret included';
    expect(warned({})).toEqual([
      {
        level: 'warn',
        msg: `user tokens: USER_TOKEN_AUDIENCE and USER_TOKEN_ISSUER are not set: ${any('aud and iss')}`,
      },
    ]);
    expect(warned({ USER_TOKEN_AUDIENCE: 'pocket-api' })).toEqual([
      { level: 'warn', msg: `user tokens: USER_TOKEN_ISSUER is not set: ${any('iss')}` },
    ]);
    expect(warned({ USER_TOKEN_ISSUER: 'id.example.com' })).toEqual([
      { level: 'warn', msg: `user tokens: USER_TOKEN_AUDIENCE is not set: ${any('aud')}` },
    ]);
    expect(warned({ USER_TOKEN_AUDIENCE: 'pocket-api', USER_TOKEN_ISSUER: 'id.example.com' })).toEqual([]);
    // Outside production any caller may be anonymous: the audience is no boundary there.
    expect(banner({}).map((l) => l.msg)).not.toContainEqual(expect.stringContaining('user tokens:'));
  });

  it('says which previous secrets are set, so a rotation is not left unfinished', () => {
    const rotating = (env: Record<string, string>) =>
      banner(env)
        .map((l) => l.msg)
        .filter((msg) => msg.includes('_PREVIOUS'));
    expect(rotating({})).toEqual([]);
    expect(
      rotating({ ACTIVITY_CODE_SECRET_PREVIOUS: 'p'.repeat(32), WEBHOOK_SECRET_PREVIOUS: 'q'.repeat(32) }),
    ).toEqual([
      'secrets: ACTIVITY_CODE_SECRET_PREVIOUS, WEBHOOK_SECRET_PREVIOUS set: what a previous secret signed is ' +
        'still accepted (webhooks and issuer requests carry both signatures); unset each when its rotation is over ' +
        '(README, "Rotating a secret")',
    ]);
  });

  it('says which issuers sign with a WEBHOOK_SECRET another party holds too, and how to give each its own', () => {
    const shared = (env: Record<string, string>) =>
      banner(env)
        .map((l) => l.msg)
        .filter((msg) => msg.includes('signed with WEBHOOK_SECRET'));
    const wallet = { ISSUER_RED_PACKET_URL: 'http://wallet.internal' };
    // One issuer, no webhook receiver: the secret has one holder besides pocket.
    expect(shared(wallet)).toEqual([]);
    expect(shared({ ...wallet, NOTIFY_URL: 'http://hooks.internal/pocket' })).toEqual([
      'secrets: the requests to ISSUER_RED_PACKET_URL are signed with WEBHOOK_SECRET, which the webhook receiver ' +
        'also holds and could then sign grants with; set ISSUER_RED_PACKET_SECRET to give each issuer its own ' +
        '(README, "Rotating a secret")',
    ]);
    expect(
      shared({
        ...wallet,
        NOTIFY_URL: 'http://hooks.internal/pocket',
        ISSUER_RED_PACKET_SECRET: 'r'.repeat(32),
      }),
    ).toEqual([]);
  });

  it('warns of an issuer secret whose type has no issuer URL: it signs nothing', () => {
    const unused = (env: Record<string, string>) =>
      banner(env).filter((l) => l.level === 'warn' && l.msg.includes('set without'));
    expect(
      unused({ ISSUER_COUPON_SECRET: 'c'.repeat(32), ISSUER_COUPON_URL: 'http://coupons.internal' }),
    ).toEqual([]);
    expect(unused({ ISSUER_COUPON_SECRET: 'c'.repeat(32), ISSUER_VOUCHER_SECRET: 'v'.repeat(32) })).toEqual([
      {
        level: 'warn',
        msg:
          'secrets: ISSUER_COUPON_SECRET, ISSUER_VOUCHER_SECRET set without ISSUER_COUPON_URL, ISSUER_VOUCHER_URL: ' +
          'nothing is signed with it, and those grants go to the sandbox issuer; set the URL, or unset the secret',
      },
    ]);
  });

  it('says the secrets were generated on the boot that made them, and reused after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pocket-banner-'));
    const file = join(dir, 'data', 'secrets.json');
    expect(banner({}, dir)).toContainEqual({
      level: 'info',
      msg: `secrets: generated now and kept in ${file}`,
    });
    expect(banner({}, dir)).toContainEqual({
      level: 'info',
      msg: `secrets: using the generated ones kept in ${file}`,
    });
  });
});

describe('tryIt', () => {
  const snapshot = {
    campaignId: 'shop-week',
    paused: false,
    definition: {
      status: 'active',
      window: { start: '2026-11-20T00:00:00+08:00', end: '2026-11-23T00:00:00+08:00' },
      timezone: 'Asia/Shanghai',
      entry: { activityCode: 'none', channels: ['app'] },
    },
    testers: new Map([['qa-amy', {}]]),
  } as unknown as CampaignSnapshot;
  const now = new Date('2026-11-21T00:00:00Z');

  it('prints an anonymous request outside production, warning that per-user limits apply', () => {
    const text = tryIt('http://127.0.0.1:3000', [snapshot], now, false) ?? '';
    expect(text).toContain('so a second run may answer limit_reached');
    expect(text).toContain('-d \'{"userId":"qa-amy","context":{"channel":"app"}}\'');
    expect(text).not.toContain('Authorization');
  });

  it('adds a client token placeholder when client auth is required (NODE_ENV=production)', () => {
    expect(tryIt('http://127.0.0.1:3000', [snapshot], now, true)).toContain(
      "-H 'Authorization: Bearer <client token from pocket tokens create --scope participate>' \\\n",
    );
  });

  it('prints nothing without a campaign to try', () => {
    expect(tryIt('http://127.0.0.1:3000', [], now, true)).toBeNull();
  });
});
