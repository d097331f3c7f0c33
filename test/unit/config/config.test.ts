import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, storeSecrets } from '../../../src/config';
import { issuerBase } from '../../../src/delivery/issuer-base';

/** The variables that name another service's URL (README, Configuration). */
const SERVICE_URLS = [
  'ISSUER_RED_PACKET_URL',
  'ISSUER_COUPON_URL',
  'ISSUER_VOUCHER_URL',
  'PROFILE_URL',
  'RISK_URL',
  'RECOMMEND_URL',
  'NOTIFY_URL',
];

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

  it('reads a variable set to the empty string as unset: its default applies (README, Configuration)', () => {
    const config = loadConfig({ PORT: '', LOG_LEVEL: '', NODE_ENV: '', RECONCILE_CRON: '' }, tmp());
    expect([config.port, config.logLevel, config.env, config.reconcileCron]).toEqual([
      3000,
      'info',
      'development',
      '* * * * *',
    ]);
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

  it('writes secrets.json whole, and a new one only when no other process created it meanwhile', () => {
    const dir = join(tmp(), 'data');
    const file = join(dir, 'secrets.json');
    const mine = { activityCode: 'a'.repeat(43) };
    expect(storeSecrets(dir, file, mine, false)).toBe(true);
    // Another process created it after this one looked: its file stays, and the caller reads that one.
    expect(storeSecrets(dir, file, { activityCode: 'b'.repeat(43) }, false)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(mine);
    // One that existed is replaced whole (a new secret added), owner-only whatever its mode was.
    chmodSync(file, 0o644);
    const more = { ...mine, webhook: 'w'.repeat(43) };
    expect(storeSecrets(dir, file, more, true)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(more);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['secrets.json']); // no draft left behind
  });

  it('keeps secrets.json readable by its owner only, also when it existed with a wider mode', () => {
    const dir = tmp();
    const file = join(dir, 'data', 'secrets.json');
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(file, '{}\n', { mode: 0o644 });
    chmodSync(file, 0o644);
    const config = loadConfig({}, dir);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(config.secrets);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('requires secrets in production and names the variables', () => {
    // WEBHOOK_SECRET only when something is signed with it (issuer-secrets.test.ts has the cases).
    expect(() => loadConfig({ NODE_ENV: 'production', NOTIFY_URL: 'http://hooks/pocket' }, tmp())).toThrow(
      new ConfigError(
        'invalid configuration: ACTIVITY_CODE_SECRET, WEBHOOK_SECRET, USER_TOKEN_SECRET required when ' +
          'NODE_ENV=production (WEBHOOK_SECRET signs the webhooks to NOTIFY_URL)',
      ),
    );
    expect(() => loadConfig({ NODE_ENV: 'production' }, tmp())).toThrow(
      new ConfigError(
        'invalid configuration: ACTIVITY_CODE_SECRET, USER_TOKEN_SECRET required when NODE_ENV=production',
      ),
    );
  });

  it('lets a CLI verb check each secret when it reads it, so a verb that signs nothing needs none', () => {
    const secret = 'a'.repeat(32);
    const config = loadConfig({ NODE_ENV: 'production', ACTIVITY_CODE_SECRET: secret }, tmp(), {
      secretsOnUse: true,
    });
    expect(config.secrets.activityCode).toBe(secret);
    expect(() => config.secrets.webhook).toThrow(
      new ConfigError('invalid configuration: WEBHOOK_SECRET required when NODE_ENV=production'),
    );
    expect(() => loadConfig({ NODE_ENV: 'production' }, tmp(), { secretsOnUse: true })).not.toThrow();
    // A secret that is set is still validated at load.
    expect(() =>
      loadConfig({ NODE_ENV: 'production', WEBHOOK_SECRET: 'short' }, tmp(), { secretsOnUse: true }),
    ).toThrow(/WEBHOOK_SECRET/);
  });

  it('takes KEEP_ALIVE_TIMEOUT_MS (default Node’s 5 s) and refuses one outside 1 s to 5 min', () => {
    expect(loadConfig({}, tmp()).keepAliveTimeoutMs).toBe(5000);
    expect(loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '65000' }, tmp()).keepAliveTimeoutMs).toBe(65000);
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '500' }, tmp())).toThrow(
      /KEEP_ALIVE_TIMEOUT_MS=500: must be >= 1000/,
    );
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '65s' }, tmp())).toThrow(
      /KEEP_ALIVE_TIMEOUT_MS="65s": must be integer/,
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

  it.each(['hourly', '* * *'])(
    'says a short RECONCILE_CRON "%s" is not a cron expression, not that it is under 9 characters',
    (value) => {
      expect(() => loadConfig({ RECONCILE_CRON: value }, tmp())).toThrow(
        new ConfigError(
          `invalid configuration:\n  RECONCILE_CRON="${value}": must be a valid cron expression (e.g. "*/5 * * * *")`,
        ),
      );
    },
  );

  it('takes the schedules node-cron takes, its @hourly and @daily included', () => {
    const config = loadConfig({ RECONCILE_CRON: '@hourly', OFFLINE_RECONCILE_CRON: '@daily' }, tmp());
    expect([config.reconcileCron, config.offlineReconcileCron]).toEqual(['@hourly', '@daily']);
  });

  it.each(SERVICE_URLS)('refuses a %s that is not an http(s) URL', (name) => {
    expect(() => loadConfig({ [name]: 'ftp://x' }, tmp())).toThrow(
      new ConfigError(`invalid configuration:\n  ${name}="ftp://x": must be an http:// or https:// URL`),
    );
    expect(() => loadConfig({ [name]: 'https://svc.internal:8443/base' }, tmp())).not.toThrow();
  });

  it.each(SERVICE_URLS)('takes a %s whose scheme is in capitals, as URLs allow', (name) => {
    // RFC 3986 §3.1: a scheme is case-insensitive; fetch and the issuer directory read `HTTPS://` as `https://`.
    expect(() => loadConfig({ [name]: 'HTTPS://svc.internal:8443/base' }, tmp())).not.toThrow();
    expect(() => loadConfig({ [name]: 'Http://svc.internal' }, tmp())).not.toThrow();
    expect(issuerBase('HTTP://Wallet.Internal:80/')).toBe('http://wallet.internal');
  });

  it('reads production backends and per-type issuers', () => {
    const config = loadConfig(
      {
        NODE_ENV: 'production',
        PORT: '8080',
        DATABASE_URL: 'postgres://u@h:5432/db',
        REDIS_URL: 'redis://h:6379',
        ISSUER_COUPON_URL: 'http://coupons.internal',
        ACTIVITY_CODE_SECRET: 'a'.repeat(32),
        WEBHOOK_SECRET: 'w'.repeat(32),
        USER_TOKEN_SECRET: 'u'.repeat(32),
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

describe('loadConfig: values the schema let through that then misbehaved', () => {
  const refused = (env: Record<string, string>, message: string): void => {
    expect(() => loadConfig(env, tmp())).toThrow(new ConfigError(`invalid configuration:\n  ${message}`));
  };

  it('refuses a TRUST_PROXY address or subnet express cannot compile (it crashed the boot with a TypeError)', () => {
    const expected =
      'must be true, false, a hop count, or a comma-separated list of IP addresses, CIDR subnets (e.g. 10.0.0.0/8) and loopback, linklocal, uniquelocal';
    refused(
      { TRUST_PROXY: '10.0.0.0/99' },
      `TRUST_PROXY="10.0.0.0/99": ${expected} ("10.0.0.0/99" is not an IP address or subnet)`,
    );
    refused(
      { TRUST_PROXY: 'loopback, 999.1.1.1' },
      `TRUST_PROXY="loopback, 999.1.1.1": ${expected} ("999.1.1.1" is not an IP address or subnet)`,
    );
    refused(
      { TRUST_PROXY: 'fe80::/129' },
      `TRUST_PROXY="fe80::/129": ${expected} ("fe80::/129" is not an IP address or subnet)`,
    );
    // express reads leading zeros as octal: "010.0.0.1" trusted 8.0.0.1.
    refused(
      { TRUST_PROXY: '010.0.0.1' },
      `TRUST_PROXY="010.0.0.1": ${expected} ("010.0.0.1" is not an IP address or subnet)`,
    );
    // The schema's own refusal says what is expected, not its regular expression.
    refused({ TRUST_PROXY: 'yes' }, `TRUST_PROXY="yes": ${expected}`);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1, fd00::/8, 192.168.1.7' }, tmp()).trustProxy).toBe(
      '10.0.0.0/8, ::1, fd00::/8, 192.168.1.7',
    );
  });

  it('refuses a REDIS_URL whose database is not a number (ioredis crashed on "/abc", read "/1.5" as 1) or without a host', () => {
    refused(
      { REDIS_URL: 'redis://h:6379/abc' },
      'REDIS_URL="redis://h:6379/abc": the database after the host must be a number (e.g. "redis://host:6379/0"), not "abc"',
    );
    refused(
      { REDIS_URL: 'redis://h:6379/1.5' },
      'REDIS_URL="redis://h:6379/1.5": the database after the host must be a number (e.g. "redis://host:6379/0"), not "1.5"',
    );
    refused({ REDIS_URL: 'redis://' }, 'REDIS_URL="redis://": must name a host (e.g. "redis://host:6379/0")');
    refused(
      { REDIS_URL: 'redis://:s3cret@h:99999/0' },
      'REDIS_URL="redis://:***@h:99999/0": must be a valid redis:// or rediss:// URL (a host, a port up to 65535; e.g. "redis://host:6379/0")',
    );
    for (const url of ['redis://h', 'redis://h:6379/', 'rediss://:pw@h:6380/15']) {
      expect(loadConfig({ REDIS_URL: url }, tmp()).redisUrl).toBe(url);
    }
  });

  it.each(SERVICE_URLS)(
    'refuses a %s every call to which would fail (no host, credentials, a query, a bad port)',
    (name) => {
      refused(
        { [name]: 'http://' },
        `${name}="http://": must be a valid http:// or https:// URL (a host, a port up to 65535; e.g. "https://svc.internal:8443/base")`,
      );
      refused(
        { [name]: 'http://svc:99999/' },
        `${name}="http://svc:99999/": must be a valid http:// or https:// URL (a host, a port up to 65535; e.g. "https://svc.internal:8443/base")`,
      );
      // fetch: "Request cannot be constructed from a URL that includes credentials"; the password is not echoed.
      refused(
        { [name]: 'https://u:s3cret@svc/base' },
        `${name}="https://u:***@svc/base": must not carry credentials (user:password@): fetch refuses such a URL`,
      );
      // The clients append /profiles/<id>, /score, /scores, /grants: "https://svc/x?k=1/grants".
      refused(
        { [name]: 'https://svc/base?key=1' },
        `${name}="https://svc/base?key=1": must not have a ?query or #fragment: the service paths are appended to it`,
      );
      refused(
        { [name]: 'https://svc/base#x' },
        `${name}="https://svc/base#x": must not have a ?query or #fragment: the service paths are appended to it`,
      );
    },
  );

  it('refuses a METRICS_TOKEN no Authorization: Bearer header can carry (/metrics answered 401 forever)', () => {
    refused(
      { METRICS_TOKEN: 'correct horse battery staple' },
      'METRICS_TOKEN=(hidden, 28 characters): must be letters, digits and . _ ~ + / - (then = at the end only), what an `Authorization: Bearer` header carries',
    );
    refused(
      { METRICS_TOKEN: 'p@ssw0rd!p@ssw0rd!' },
      'METRICS_TOKEN=(hidden, 18 characters): must be letters, digits and . _ ~ + / - (then = at the end only), what an `Authorization: Bearer` header carries',
    );
    expect(loadConfig({ METRICS_TOKEN: 'aB3-._~+/aB3-._~+/==' }, tmp()).metricsToken).toBe(
      'aB3-._~+/aB3-._~+/==',
    );
  });

  it('reads CORS_ORIGINS as exact origins, and refuses one a browser never sends (a path, a slash, upper case)', () => {
    expect(loadConfig({}, tmp()).corsOrigins).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://h5.example.com, http://127.0.0.1:8080' }, tmp()).corsOrigins,
    ).toEqual(['https://h5.example.com', 'http://127.0.0.1:8080']);
    for (const item of ['https://h5.example.com/', 'https://H5.example.com', 'h5.example.com', '*']) {
      refused(
        { CORS_ORIGINS: `https://ok.example.com,${item}` },
        `CORS_ORIGINS="https://ok.example.com,${item}": must be comma-separated origins, scheme://host[:port] in lower case with no path or slash ("${item}" is not one)`,
      );
    }
  });

  it('reads USER_TOKEN_AUDIENCE and USER_TOKEN_ISSUER as lists (unset: not checked), and refuses a list no token could match as meant', () => {
    expect(loadConfig({}, tmp()).userTokenClaims).toEqual({ audience: [], issuer: [] });
    expect(
      loadConfig({ USER_TOKEN_AUDIENCE: 'pocket-api', USER_TOKEN_ISSUER: 'https://id.example.com' }, tmp())
        .userTokenClaims,
    ).toEqual({ audience: ['pocket-api'], issuer: ['https://id.example.com'] });
    expect(
      loadConfig({ USER_TOKEN_AUDIENCE: 'pocket-api, pocket-h5', USER_TOKEN_ISSUER: 'id-old,id-new' }, tmp())
        .userTokenClaims,
    ).toEqual({ audience: ['pocket-api', 'pocket-h5'], issuer: ['id-old', 'id-new'] });
    const expected =
      'must be one value or a comma-separated list, each item 1-256 characters without spaces ' +
      '(e.g. "pocket-api" or "pocket-api,pocket-h5")';
    for (const name of ['USER_TOKEN_AUDIENCE', 'USER_TOKEN_ISSUER']) {
      refused({ [name]: '   ' }, `${name}="   ": ${expected} (an item is empty)`);
      refused(
        { [name]: 'pocket-api,,pocket-h5' },
        `${name}="pocket-api,,pocket-h5": ${expected} (an item is empty)`,
      );
      refused({ [name]: 'pocket-api,' }, `${name}="pocket-api,": ${expected} (an item is empty)`);
      refused(
        { [name]: 'pocket-api pocket-h5' },
        `${name}="pocket-api pocket-h5": ${expected} ("pocket-api pocket-h5" holds a space or control character)`,
      );
      refused(
        { [name]: 'a'.repeat(257) },
        `${name}="${'a'.repeat(257)}": ${expected} (an item has 257 characters)`,
      );
      expect(() => loadConfig({ [name]: 'a'.repeat(256) }, tmp())).not.toThrow();
    }
  });

  it('refuses one value for two secrets: each has its own holder, who could then act with the other', () => {
    const shared = 's'.repeat(40);
    expect(() =>
      loadConfig(
        { ACTIVITY_CODE_SECRET: 'a'.repeat(32), WEBHOOK_SECRET: shared, USER_TOKEN_SECRET: shared },
        tmp(),
      ),
    ).toThrow(
      new ConfigError(
        'invalid configuration:\n' +
          '  USER_TOKEN_SECRET=(hidden, 40 characters): must differ from WEBHOOK_SECRET ' +
          '(whoever holds one secret could then act with the other)',
      ),
    );
    expect(() =>
      loadConfig(
        { ACTIVITY_CODE_SECRET: 'a'.repeat(32), WEBHOOK_SECRET: shared, USER_TOKEN_SECRET: 'u'.repeat(32) },
        tmp(),
      ),
    ).not.toThrow();
  });

  describe('previous secrets (rotation)', () => {
    const current = {
      ACTIVITY_CODE_SECRET: 'a'.repeat(32),
      WEBHOOK_SECRET: 'w'.repeat(32),
      USER_TOKEN_SECRET: 'u'.repeat(32),
    };
    const old = { a: 'A'.repeat(40), w: 'W'.repeat(40), u: 'U'.repeat(40) };

    it('reads the three _PREVIOUS variables (unset: null), for production and outside it alike', () => {
      expect(loadConfig(current, tmp()).previousSecrets).toEqual({
        activityCode: null,
        webhook: null,
        userToken: null,
      });
      const env = {
        ...current,
        NODE_ENV: 'production',
        ACTIVITY_CODE_SECRET_PREVIOUS: old.a,
        WEBHOOK_SECRET_PREVIOUS: old.w,
        USER_TOKEN_SECRET_PREVIOUS: old.u,
      };
      const config = loadConfig(env, tmp());
      expect(config.previousSecrets).toEqual({ activityCode: old.a, webhook: old.w, userToken: old.u });
      // Signing still uses the current secrets.
      expect(config.secrets).toEqual({
        activityCode: current.ACTIVITY_CODE_SECRET,
        webhook: current.WEBHOOK_SECRET,
        userToken: current.USER_TOKEN_SECRET,
      });
    });

    it('outside production, keeps the generated secrets as they are and writes no previous one', () => {
      const dir = tmp();
      const generated = loadConfig({}, dir).secrets;
      const config = loadConfig({ USER_TOKEN_SECRET_PREVIOUS: old.u }, dir);
      expect(config.secrets).toEqual(generated);
      expect(config.previousSecrets.userToken).toBe(old.u);
      expect(JSON.parse(readFileSync(join(dir, 'data', 'secrets.json'), 'utf8'))).toEqual(generated);
    });

    it('refuses one shorter than 32 characters, naming it and hiding its value', () => {
      refused(
        {
          ...current,
          ACTIVITY_CODE_SECRET_PREVIOUS: 'hunter2',
          USER_TOKEN_SECRET_PREVIOUS: 'also-too-short',
        },
        'ACTIVITY_CODE_SECRET_PREVIOUS=(hidden, 7 characters): must NOT have fewer than 32 characters\n' +
          '  USER_TOKEN_SECRET_PREVIOUS=(hidden, 14 characters): must NOT have fewer than 32 characters',
      );
      refused(
        { ...current, WEBHOOK_SECRET_PREVIOUS: 'x'.repeat(31) },
        'WEBHOOK_SECRET_PREVIOUS=(hidden, 31 characters): must NOT have fewer than 32 characters',
      );
    });

    it('refuses one equal to its own current secret: a rotation that replaced nothing', () => {
      refused(
        { ...current, ACTIVITY_CODE_SECRET_PREVIOUS: current.ACTIVITY_CODE_SECRET },
        'ACTIVITY_CODE_SECRET_PREVIOUS=(hidden, 32 characters): must differ from ACTIVITY_CODE_SECRET ' +
          '(it is the value being replaced: set it to the old secret, or unset it)',
      );
    });

    it('refuses one equal to any other secret, current or previous, naming both variables', () => {
      const shared = '(whoever holds one secret could then act with the other)';
      refused(
        { ...current, USER_TOKEN_SECRET_PREVIOUS: current.WEBHOOK_SECRET },
        `USER_TOKEN_SECRET_PREVIOUS=(hidden, 32 characters): must differ from WEBHOOK_SECRET ${shared}`,
      );
      refused(
        { ...current, WEBHOOK_SECRET_PREVIOUS: current.ACTIVITY_CODE_SECRET },
        `WEBHOOK_SECRET_PREVIOUS=(hidden, 32 characters): must differ from ACTIVITY_CODE_SECRET ${shared}`,
      );
      refused(
        { ...current, ACTIVITY_CODE_SECRET_PREVIOUS: old.u, USER_TOKEN_SECRET_PREVIOUS: old.u },
        'USER_TOKEN_SECRET_PREVIOUS=(hidden, 40 characters): must differ from ACTIVITY_CODE_SECRET_PREVIOUS ' +
          shared,
      );
    });

    it('outside production, refuses one equal to a generated secret in use', () => {
      const dir = tmp();
      const generated = loadConfig({}, dir).secrets;
      expect(() => loadConfig({ ACTIVITY_CODE_SECRET_PREVIOUS: generated.webhook }, dir)).toThrow(
        new ConfigError(
          'invalid configuration:\n  ACTIVITY_CODE_SECRET_PREVIOUS=(hidden, 43 characters): must differ from ' +
            'WEBHOOK_SECRET (whoever holds one secret could then act with the other)',
        ),
      );
      // The generated secret moved to the variable, its old value the previous one: a rotation, accepted.
      expect(
        loadConfig(
          { ACTIVITY_CODE_SECRET: old.a, ACTIVITY_CODE_SECRET_PREVIOUS: generated.activityCode },
          dir,
        ).previousSecrets.activityCode,
      ).toBe(generated.activityCode);
    });
  });

  it('never echoes a secret or a URL password in the message', () => {
    refused(
      { ACTIVITY_CODE_SECRET: 'hunter2', USER_TOKEN_SECRET: 'also-too-short' },
      'ACTIVITY_CODE_SECRET=(hidden, 7 characters): must NOT have fewer than 32 characters\n' +
        '  USER_TOKEN_SECRET=(hidden, 14 characters): must NOT have fewer than 32 characters',
    );
    refused(
      { METRICS_TOKEN: 'short' },
      'METRICS_TOKEN=(hidden, 5 characters): must NOT have fewer than 16 characters',
    );
    refused(
      { DATABASE_URL: 'mysql://pocket:s3cret@db/pocket' },
      'DATABASE_URL="mysql://pocket:***@db/pocket": must match pattern "^postgres(ql)?://"',
    );
  });

  it('refuses a secrets.json under POCKET_DATA_DIR that is not JSON or holds an unusable secret, naming the file', () => {
    const dir = tmp();
    const file = join(dir, 'data', 'secrets.json');
    loadConfig({}, dir);
    writeFileSync(file, '{oops');
    expect(() => loadConfig({}, dir)).toThrow(ConfigError);
    expect(() => loadConfig({}, dir)).toThrow(
      `invalid configuration: ${file} (the secrets generated under POCKET_DATA_DIR) is not JSON (`,
    );
    writeFileSync(
      file,
      JSON.stringify({ activityCode: 'x'.repeat(43), webhook: 'x'.repeat(43), userToken: 'x' }),
    );
    expect(() => loadConfig({}, dir)).toThrow(
      new ConfigError(
        `invalid configuration: ${file} (the secrets generated under POCKET_DATA_DIR) has a "userToken" that is not ` +
          'a string of at least 32 characters; set ACTIVITY_CODE_SECRET, WEBHOOK_SECRET, USER_TOKEN_SECRET, or remove the file to generate new ones',
      ),
    );
  });
});
