import { createHmac } from 'node:crypto';
import {
  signatureHeaders,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  requestTarget,
  verifySignature,
  verifyTargetSignature,
} from '../../../src/integrations/notification-signature';

const secret = 'whsec-test';
const body = JSON.stringify({ event: 'stock.exhausted', campaignId: 'c1', details: { rewardId: 'rp' } });
const now = new Date('2026-11-11T02:00:00Z');

describe('webhook signatures', () => {
  const headers = signatureHeaders(secret, body, now);
  const check = (over: Partial<Parameters<typeof verifySignature>[0]> = {}) =>
    verifySignature({
      secret,
      body,
      timestamp: headers[TIMESTAMP_HEADER],
      signature: headers[SIGNATURE_HEADER],
      now,
      ...over,
    });

  it('signs HMAC-SHA256 of "timestamp.body" as v1=<hex>, with the timestamp in unix seconds', () => {
    expect(headers[TIMESTAMP_HEADER]).toBe(String(now.getTime() / 1000));
    const expected = createHmac('sha256', secret)
      .update(`${headers[TIMESTAMP_HEADER]}.${body}`)
      .digest('hex');
    expect(headers[SIGNATURE_HEADER]).toBe(`v1=${expected}`);
  });

  it('verifies the body it signed', () => {
    expect(check()).toBe(true);
  });

  it('fails for a tampered body, another secret, a shifted timestamp or a mangled signature', () => {
    expect(check({ body: body.replace('rp', 'rq') })).toBe(false);
    expect(check({ body: `${body} ` })).toBe(false);
    expect(check({ secret: 'other' })).toBe(false);
    expect(check({ timestamp: String(Number(headers[TIMESTAMP_HEADER]) + 1) })).toBe(false);
    expect(check({ signature: `v1=${'0'.repeat(64)}` })).toBe(false);
    expect(check({ signature: 'v1=abc' })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ timestamp: 'yesterday' })).toBe(false);
  });

  it('refuses a stale timestamp (replay) and accepts one of several signatures (secret rotation)', () => {
    expect(check({ now: new Date(now.getTime() + 301_000) })).toBe(false);
    expect(check({ now: new Date(now.getTime() + 299_000) })).toBe(true);
    const rotated = signatureHeaders('old-secret', body, now)[SIGNATURE_HEADER];
    expect(check({ signature: `${rotated}, ${headers[SIGNATURE_HEADER]}` })).toBe(true);
  });

  it('signs with every secret given, current first, in one header (WEBHOOK_SECRET_PREVIOUS)', () => {
    const both = signatureHeaders([secret, 'old-secret'], body, now);
    const hmac = (key: string) =>
      createHmac('sha256', key).update(`${both[TIMESTAMP_HEADER]}.${body}`).digest('hex');
    expect(both[SIGNATURE_HEADER]).toBe(`v1=${hmac(secret)},v1=${hmac('old-secret')}`);
    const signature = both[SIGNATURE_HEADER];
    expect(check({ signature })).toBe(true);
    expect(check({ signature, secret: 'old-secret' })).toBe(true);
    expect(check({ signature, secret: 'other' })).toBe(false);
  });
});

describe('signatures of a request without a body (an issuer listing)', () => {
  const url = new URL('https://wallet.internal:8443/v2/grants?since=2026-11-11T00%3A00%3A00.000Z&limit=500');
  const target = requestTarget(url);
  const headers = signatureHeaders([secret, 'old-secret'], target, now);
  const check = (over: Partial<Parameters<typeof verifyTargetSignature>[0]> = {}) =>
    verifyTargetSignature({
      secret,
      target,
      timestamp: headers[TIMESTAMP_HEADER],
      signature: headers[SIGNATURE_HEADER],
      now,
      ...over,
    });

  it('signs the path and query string as sent, no scheme or host, as a body would be signed', () => {
    expect(target).toBe('/v2/grants?since=2026-11-11T00%3A00%3A00.000Z&limit=500');
    expect(check()).toBe(true);
    expect(check({ secret: 'old-secret' })).toBe(true);
    // The same check as verifySignature with the target in place of the body.
    expect(
      verifySignature({
        secret,
        body: target,
        timestamp: headers[TIMESTAMP_HEADER],
        signature: headers[SIGNATURE_HEADER],
        now,
      }),
    ).toBe(true);
  });

  it('fails for another query or path, another secret, or a stale timestamp', () => {
    expect(check({ target: target.replace('limit=500', 'limit=1000') })).toBe(false);
    expect(check({ target: `${target}&cursor=x` })).toBe(false);
    expect(check({ target: target.replace('/v2', '') })).toBe(false);
    expect(check({ target: decodeURIComponent(target) })).toBe(false);
    expect(check({ secret: 'other' })).toBe(false);
    expect(check({ now: new Date(now.getTime() + 301_000) })).toBe(false);
  });
});
