import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'pocket-config-'));
}

describe('loadConfig (DESIGN.md "Service configuration")', () => {
  it('defaults to the embedded backends with no environment', () => {
    const dir = tmp();
    const config = loadConfig({}, dir);
    expect(config.port).toBe(3000);
    // Anonymous participations and the sandbox issuer: this machine only, unless HOST says otherwise.
    expect(config.host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }, dir).host).toBe('0.0.0.0');
    expect(() => loadConfig({ HOST: 'bad host' }, dir)).toThrow(/HOST="bad host"/);
    expect(config.databaseUrl).toBeNull();
    expect(config.redisUrl).toBeNull();
    expect(config.sqliteFile).toBe(join(dir, 'data', 'pocket.sqlite'));
    expect(config.requireClientAuth).toBe(false);
    expect(config.publishOnStart).toBe(true);
    expect(config.runWorker).toBe(true);
    // Real-time reconciliation every minute, offline reconciliation daily (03:30).
    expect(config.reconcileCron).toBe('* * * * *');
    expect(config.offlineReconcileCron).toBe('30 3 * * *');
  });

  it('takes the reconciliation schedules from RECONCILE_CRON and OFFLINE_RECONCILE_CRON', () => {
    const config = loadConfig({ RECONCILE_CRON: '*/5 * * * *', OFFLINE_RECONCILE_CRON: '0 2 * * *' }, tmp());
    expect(config.reconcileCron).toBe('*/5 * * * *');
    expect(config.offlineReconcileCron).toBe('0 2 * * *');
  });

  it('takes the trusted proxies from TRUST_PROXY (default loopback) and refuses a malformed one', () => {
    const trust = (value?: string) =>
      loadConfig(value === undefined ? {} : { TRUST_PROXY: value }, tmp()).trustProxy;
    expect(trust()).toBe('loopback');
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('loopback, 10.0.0.0/8, fd00::/8')).toBe('loopback, 10.0.0.0/8, fd00::/8');
    expect(() => trust('the load balancer')).toThrow(ConfigError);
    expect(() => trust('the load balancer')).toThrow(/TRUST_PROXY/);
  });

  it('generates secrets once outside production and keeps them under ./data', () => {
    const dir = tmp();
    const first = loadConfig({}, dir);
    const second = loadConfig({}, dir);
    expect(first.secretsGenerated).toBe(true);
    // The banner says "generated now" only on the boot that wrote them, "kept" after.
    expect(first.secretsCreated).toBe(true);
    expect(second.secretsGenerated).toBe(true);
    expect(second.secretsCreated).toBe(false);
    expect(first.secrets).toEqual(second.secrets);
    expect(first.secrets.userToken).toHaveLength(43);
    const file = join(dir, 'data', 'secrets.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first.secrets);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('requires secrets in production and names the variables', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, tmp())).toThrow(
      new ConfigError(
        'invalid configuration: ACTIVITY_CODE_SECRET, WEBHOOK_SECRET, USER_TOKEN_SECRET required when NODE_ENV=production',
      ),
    );
  });

  it('stops the boot on a bad value, naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, tmp())).toThrow(/PORT="eighty": must be integer/);
    expect(() => loadConfig({ PORT: '70000' }, tmp())).toThrow(/PORT=70000: must be <= 65535/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' }, tmp())).toThrow(
      /DATABASE_URL="mysql:\/\/x": must match pattern/,
    );
    expect(() => loadConfig({ LOG_LEVEL: 'loud' }, tmp())).toThrow(
      'LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it.each(['RECONCILE_CRON', 'OFFLINE_RECONCILE_CRON'])(
    'refuses a %s that node-cron cannot schedule, naming the variable',
    (name) => {
      expect(() => loadConfig({ [name]: '99 99 99 99 99' }, tmp())).toThrow(
        new ConfigError(
          `invalid configuration:\n  ${name}="99 99 99 99 99": must be a valid cron expression (e.g. "*/5 * * * *")`,
        ),
      );
    },
  );

  it.each([
    'ISSUER_RED_PACKET_URL',
    'ISSUER_COUPON_URL',
    'ISSUER_VOUCHER_URL',
    'PROFILE_URL',
    'RISK_URL',
    'RECOMMEND_URL',
    'NOTIFY_URL',
  ])('refuses a %s that is not an http(s) URL', (name) => {
    expect(() => loadConfig({ [name]: 'ftp://x' }, tmp())).toThrow(
      new ConfigError(`invalid configuration:\n  ${name}="ftp://x": must be an http:// or https:// URL`),
    );
    expect(() => loadConfig({ [name]: 'https://svc.internal:8443/base' }, tmp())).not.toThrow();
  });

  it('reads production backends and per-type issuers', () => {
    const secret = 'x'.repeat(32);
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        PORT: '8080',
        DATABASE_URL: 'postgres://u@h:5432/db',
        REDIS_URL: 'redis://h:6379',
        ISSUER_COUPON_URL: 'http://coupons.internal',
        ACTIVITY_CODE_SECRET: secret,
        WEBHOOK_SECRET: secret,
        USER_TOKEN_SECRET: secret,
        POCKET_WORKER: 'false',
      },
      tmp(),
    );
    expect(config).toMatchObject({
      host: null,
      port: 8080,
      databaseUrl: 'postgres://u@h:5432/db',
      redisUrl: 'redis://h:6379',
      issuerUrls: { coupon: 'http://coupons.internal' },
      requireClientAuth: true,
      publishOnStart: false,
      runWorker: false,
      secretsGenerated: false,
      secretsCreated: false,
    });
  });
});
