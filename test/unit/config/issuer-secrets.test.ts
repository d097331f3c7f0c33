/**
 * ISSUER_<TYPE>_SECRET and its _PREVIOUS (README, Configuration and "Rotating a secret"): validated like the other
 * secrets, falling back to WEBHOOK_SECRET for a type without one, and in production WEBHOOK_SECRET required only
 * for what it signs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, issuerSecretsInUse, issuerSigning, loadConfig } from '../../../src/config';
import { issuersSharingWebhookSecret } from '../../../src/delivery/issuer-secrets';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'pocket-issuer-secrets-'));
}

const base = {
  ACTIVITY_CODE_SECRET: 'a'.repeat(32),
  WEBHOOK_SECRET: 'w'.repeat(32),
  USER_TOKEN_SECRET: 'u'.repeat(32),
};
const WALLET = 'http://wallet.internal';
const COUPONS = 'http://coupons.internal';
const RED = 'r'.repeat(40);
const RED_OLD = 'R'.repeat(40);

function refused(env: Record<string, string>, ...messages: string[]): void {
  expect(() => loadConfig(env, tmp())).toThrow(
    new ConfigError(`invalid configuration:\n  ${messages.join('\n  ')}`),
  );
}

describe('issuer secrets: validation', () => {
  it('refuses one shorter than 32 characters, naming it and hiding its value', () => {
    refused(
      { ...base, ISSUER_RED_PACKET_SECRET: 'hunter2', ISSUER_COUPON_SECRET_PREVIOUS: 'x'.repeat(31) },
      'ISSUER_RED_PACKET_SECRET=(hidden, 7 characters): must NOT have fewer than 32 characters',
      'ISSUER_COUPON_SECRET_PREVIOUS=(hidden, 31 characters): must NOT have fewer than 32 characters',
    );
  });

  it('refuses one equal to any other secret, naming both variables, never the value', () => {
    refused(
      { ...base, ISSUER_RED_PACKET_SECRET: base.WEBHOOK_SECRET },
      'ISSUER_RED_PACKET_SECRET=(hidden, 32 characters): must differ from WEBHOOK_SECRET ' +
        '(whoever holds one secret could then act with the other)',
    );
    refused(
      { ...base, ISSUER_VOUCHER_SECRET: base.USER_TOKEN_SECRET },
      'ISSUER_VOUCHER_SECRET=(hidden, 32 characters): must differ from USER_TOKEN_SECRET ' +
        '(whoever holds one secret could then act with the other)',
    );
    // Two issuers, each with its own: one value for both would let either sign for the other.
    refused(
      {
        ...base,
        ISSUER_RED_PACKET_URL: WALLET,
        ISSUER_COUPON_URL: COUPONS,
        ISSUER_RED_PACKET_SECRET: RED,
        ISSUER_COUPON_SECRET: RED,
      },
      'ISSUER_COUPON_SECRET=(hidden, 40 characters): must differ from ISSUER_RED_PACKET_SECRET ' +
        '(whoever holds one secret could then act with the other)',
    );
    refused(
      { ...base, ISSUER_RED_PACKET_SECRET: RED, ISSUER_RED_PACKET_SECRET_PREVIOUS: RED },
      'ISSUER_RED_PACKET_SECRET_PREVIOUS=(hidden, 40 characters): must differ from ISSUER_RED_PACKET_SECRET ' +
        '(it is the value being replaced: set it to the old secret, or unset it)',
    );
    // A webhook receiver holding the previous webhook secret must not hold a current issuer secret.
    refused(
      { ...base, WEBHOOK_SECRET_PREVIOUS: RED_OLD, ISSUER_COUPON_SECRET: RED_OLD },
      'ISSUER_COUPON_SECRET=(hidden, 40 characters): must differ from WEBHOOK_SECRET_PREVIOUS ' +
        '(whoever holds one secret could then act with the other)',
    );
  });

  it('outside production, refuses one equal to the generated WEBHOOK_SECRET', () => {
    const dir = tmp();
    const generated = loadConfig({}, dir).secrets.webhook;
    expect(() => loadConfig({ ISSUER_COUPON_SECRET: generated }, dir)).toThrow(
      /ISSUER_COUPON_SECRET=\(hidden, 43 characters\): must differ from WEBHOOK_SECRET/,
    );
  });

  it("lets an issuer's _PREVIOUS be the webhook secret it moves off (both signatures meanwhile)", () => {
    const config = loadConfig(
      {
        ...base,
        ISSUER_RED_PACKET_URL: WALLET,
        ISSUER_RED_PACKET_SECRET: RED,
        ISSUER_RED_PACKET_SECRET_PREVIOUS: base.WEBHOOK_SECRET,
      },
      tmp(),
    );
    expect(issuerSigning(config, 'red_packet').secrets()).toStrictEqual([RED, base.WEBHOOK_SECRET]);
  });

  it('refuses a _PREVIOUS without its current secret', () => {
    refused(
      { ...base, ISSUER_COUPON_SECRET_PREVIOUS: RED_OLD },
      'ISSUER_COUPON_SECRET_PREVIOUS=(hidden, 40 characters): is set without ISSUER_COUPON_SECRET: nothing is ' +
        'signed with a previous secret alone (set ISSUER_COUPON_SECRET to the new secret, or unset both: the ' +
        "issuer's requests are then signed with WEBHOOK_SECRET)",
    );
  });

  it('holds types whose URLs name one issuer to one secret, which they may then share', () => {
    const shared = {
      ...base,
      ISSUER_RED_PACKET_URL: `${WALLET}/`,
      ISSUER_COUPON_URL: 'http://WALLET.internal:80',
    };
    refused(
      { ...shared, ISSUER_RED_PACKET_SECRET: RED },
      'ISSUER_COUPON_SECRET (unset): must be the same as ISSUER_RED_PACKET_SECRET (both set to one value, or both ' +
        'unset): ISSUER_COUPON_URL and ISSUER_RED_PACKET_URL name one issuer, http://wallet.internal, which ' +
        'verifies one secret',
    );
    const config = loadConfig({ ...shared, ISSUER_RED_PACKET_SECRET: RED, ISSUER_COUPON_SECRET: RED }, tmp());
    expect(issuerSigning(config, 'coupon').secrets()).toStrictEqual([RED]);
  });
});

describe('issuer secrets: which secret signs for which issuer', () => {
  it('an issuer with its own secret signs with it (and its _PREVIOUS); one without, with WEBHOOK_SECRET', () => {
    const config = loadConfig(
      {
        ...base,
        WEBHOOK_SECRET_PREVIOUS: 'W'.repeat(40),
        ISSUER_RED_PACKET_URL: WALLET,
        ISSUER_COUPON_URL: COUPONS,
        ISSUER_RED_PACKET_SECRET: RED,
        ISSUER_RED_PACKET_SECRET_PREVIOUS: RED_OLD,
      },
      tmp(),
    );
    expect(config.issuerSecrets).toStrictEqual({ red_packet: { current: RED, previous: RED_OLD } });
    const red = issuerSigning(config, 'red_packet');
    expect([red.secretName, red.secrets()]).toStrictEqual(['ISSUER_RED_PACKET_SECRET', [RED, RED_OLD]]);
    const coupon = issuerSigning(config, 'coupon');
    expect([coupon.secretName, coupon.secrets()]).toStrictEqual([
      'WEBHOOK_SECRET',
      [base.WEBHOOK_SECRET, 'W'.repeat(40)],
    ]);
    // The sandbox's HTTP face accepts the secrets of the types with a URL.
    expect(issuerSecretsInUse(config)).toStrictEqual({
      secretNames: ['ISSUER_RED_PACKET_SECRET', 'WEBHOOK_SECRET'],
      secrets: [RED, RED_OLD, base.WEBHOOK_SECRET, 'W'.repeat(40)],
    });
  });

  it('names the issuers that share WEBHOOK_SECRET with another holder (the boot notice)', () => {
    const urls = { red_packet: WALLET, coupon: COUPONS };
    expect(issuersSharingWebhookSecret(urls, {}, false)).toStrictEqual(['red_packet', 'coupon']);
    expect(issuersSharingWebhookSecret({ red_packet: WALLET }, {}, false)).toStrictEqual([]);
    expect(issuersSharingWebhookSecret({ red_packet: WALLET }, {}, true)).toStrictEqual(['red_packet']);
    const own = { red_packet: { current: RED, previous: null } };
    expect(issuersSharingWebhookSecret(urls, own, false)).toStrictEqual([]);
    expect(issuersSharingWebhookSecret(urls, own, true)).toStrictEqual(['coupon']);
  });
});

describe('issuer secrets in production', () => {
  const production = {
    NODE_ENV: 'production',
    ACTIVITY_CODE_SECRET: 'a'.repeat(32),
    USER_TOKEN_SECRET: 'u'.repeat(32),
  };

  it('needs no WEBHOOK_SECRET when every configured issuer has its own and NOTIFY_URL is unset', () => {
    const config = loadConfig(
      { ...production, ISSUER_RED_PACKET_URL: WALLET, ISSUER_RED_PACKET_SECRET: RED },
      tmp(),
    );
    expect(issuerSigning(config, 'red_packet').secrets()).toStrictEqual([RED]);
    // Nothing here signs with it; whatever reads it anyway is stopped, naming it.
    expect(() => config.secrets.webhook).toThrow(
      new ConfigError('invalid configuration: WEBHOOK_SECRET required when NODE_ENV=production'),
    );
  });

  it('requires WEBHOOK_SECRET for an issuer without its own, or for NOTIFY_URL, saying what it signs', () => {
    refusedAtBoot(
      {
        ...production,
        ISSUER_RED_PACKET_URL: WALLET,
        ISSUER_RED_PACKET_SECRET: RED,
        ISSUER_COUPON_URL: COUPONS,
      },
      'WEBHOOK_SECRET required when NODE_ENV=production (WEBHOOK_SECRET signs the requests to ISSUER_COUPON_URL, ' +
        'which has no ISSUER_COUPON_SECRET)',
    );
    refusedAtBoot(
      {
        ...production,
        ISSUER_RED_PACKET_URL: WALLET,
        ISSUER_RED_PACKET_SECRET: RED,
        NOTIFY_URL: 'http://hooks/p',
      },
      'WEBHOOK_SECRET required when NODE_ENV=production (WEBHOOK_SECRET signs the webhooks to NOTIFY_URL)',
    );
  });

  it('in a CLI verb (secrets checked on use), stops the first read of WEBHOOK_SECRET an issuer needs', () => {
    const config = loadConfig({ NODE_ENV: 'production', ISSUER_COUPON_URL: COUPONS }, tmp(), {
      secretsOnUse: true,
    });
    expect(() => issuerSigning(config, 'coupon').secrets()).toThrow(
      new ConfigError(
        'invalid configuration: WEBHOOK_SECRET required when NODE_ENV=production (WEBHOOK_SECRET signs the ' +
          'requests to ISSUER_COUPON_URL, which has no ISSUER_COUPON_SECRET)',
      ),
    );
    const own = loadConfig(
      { NODE_ENV: 'production', ISSUER_COUPON_URL: COUPONS, ISSUER_COUPON_SECRET: RED },
      tmp(),
      { secretsOnUse: true },
    );
    expect(issuerSigning(own, 'coupon').secrets()).toStrictEqual([RED]);
  });
});

function refusedAtBoot(env: Record<string, string>, message: string): void {
  expect(() => loadConfig(env, tmp())).toThrow(new ConfigError(`invalid configuration: ${message}`));
}
