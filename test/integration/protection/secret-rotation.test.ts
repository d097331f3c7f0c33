/**
 * Rotating a secret without downtime (README, "Rotating a secret"), through the configuration as an operator
 * sets it: activity codes and user tokens signed with the old secret are accepted while `<NAME>_PREVIOUS` holds it
 * and refused once it is removed; webhooks carry both signatures meanwhile, so a receiver verifies them with
 * either secret.
 */
import jwt from 'jsonwebtoken';
import nock from 'nock';
import request from 'supertest';
import type { Config } from '../../../src/config';
import { verifySignature } from '../../../src/integrations/notification-signature';
import { newNonce, signActivityCode } from '../../../src/protection/activity-code';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  removeDir,
  testConfig,
  type TestBackends,
} from '../../helpers/pocket';
import { receiveWebhooks, type ReceivedWebhook } from '../../helpers/webhook-receiver';
import { join_, NOW, profiles, writeCampaigns } from './protection-fixtures';

const HOOK = 'http://hooks.rotation.test';
const NOW_S = Math.floor(NOW.getTime() / 1000);

const OLD = {
  ACTIVITY_CODE_SECRET: 'old-activity-code-secret-0123456789abcdef',
  WEBHOOK_SECRET: 'old-webhook-secret-0123456789abcdefghijkl',
  USER_TOKEN_SECRET: 'old-user-token-secret-0123456789abcdefghi',
};
const NEW = {
  ACTIVITY_CODE_SECRET: 'new-activity-code-secret-0123456789abcdef',
  WEBHOOK_SECRET: 'new-webhook-secret-0123456789abcdefghijkl',
  USER_TOKEN_SECRET: 'new-user-token-secret-0123456789abcdefghi',
};
const ROTATING = {
  ...NEW,
  ACTIVITY_CODE_SECRET_PREVIOUS: OLD.ACTIVITY_CODE_SECRET,
  WEBHOOK_SECRET_PREVIOUS: OLD.WEBHOOK_SECRET,
  USER_TOKEN_SECRET_PREVIOUS: OLD.USER_TOKEN_SECRET,
};

describeEachBackend('secret rotation', (backend) => {
  let backends: TestBackends;
  let root: string;
  /** Before (old secrets), during (new ones, the old as _PREVIOUS), after (new ones only). */
  let before: Pocket;
  let during: Pocket;
  let after: Pocket;
  let received: ReceivedWebhook[];

  const boot = (env: Record<string, string>): Promise<Pocket> => {
    const config: Config = { ...testConfig(env), definitionsRoot: root, notifyUrl: `${HOOK}/pocket` };
    return createTestPocket(backends, { clock: () => NOW, profiles: profiles(), config });
  };

  beforeAll(async () => {
    backends = await createBackends(backend);
    root = writeCampaigns({ 'rot-coded': { entry: 'signed' }, 'rot-open': {} });
    before = await boot(OLD);
    during = await boot(ROTATING);
    after = await boot(NEW);
  });
  afterAll(async () => {
    await before?.close();
    await during?.close();
    await after?.close();
    await backends?.destroy();
    removeDir(root);
  });
  beforeEach(() => {
    received = receiveWebhooks(HOOK, '/pocket');
  });
  afterEach(() => {
    nock.cleanAll();
  });

  const code = (secret: string) =>
    signActivityCode(secret, {
      campaignId: 'rot-coded',
      userId: null,
      expiresAt: NOW_S + 30 * 24 * 3600,
      nonce: newNonce(),
    });
  const outcome = (res: { status: number; body: { error?: { code?: string } } }) => [
    res.status,
    res.body.error?.code,
  ];

  it('an activity code handed out before the rotation is accepted while the previous secret is kept, then refused', async () => {
    const old = code(OLD.ACTIVITY_CODE_SECRET);
    const another = code(OLD.ACTIVITY_CODE_SECRET);
    expect(outcome(await join_(during, 'rot-coded', 'code-1', { activityCode: old }))).toEqual([
      201,
      undefined,
    ]);
    // Still single use across the rotation.
    expect(outcome(await join_(during, 'rot-coded', 'code-2', { activityCode: old }))).toEqual([
      403,
      'code_used',
    ]);
    // Codes issued after the rotation (signed with the new secret) are accepted too.
    const fresh = code(NEW.ACTIVITY_CODE_SECRET);
    expect((await join_(during, 'rot-coded', 'code-3', { activityCode: fresh })).status).toBe(201);
    // ACTIVITY_CODE_SECRET_PREVIOUS removed: the old secret opens nothing any more.
    expect(outcome(await join_(after, 'rot-coded', 'code-4', { activityCode: another }))).toEqual([
      403,
      'code_invalid',
    ]);
    // And an instance not yet rotated refuses the new codes: start rotating only once codes are issued with it.
    expect(
      outcome(await join_(before, 'rot-coded', 'code-5', { activityCode: code(NEW.ACTIVITY_CODE_SECRET) })),
    ).toEqual([403, 'code_invalid']);
  });

  it('a user token signed with the old secret is accepted while the previous secret is kept, then refused', async () => {
    const token = (secret: string, sub: string) =>
      jwt.sign({ sub }, secret, { algorithm: 'HS256', expiresIn: '1h' });
    const grants = (pocket: Pocket, secret: string, sub: string) =>
      request(pocket.app)
        .get(`/v1/users/${sub}/grants`)
        .set('Authorization', `Bearer ${token(secret, sub)}`);
    const old = await join_(during, 'rot-open', 'jwt-1', {
      auth: `Bearer ${token(OLD.USER_TOKEN_SECRET, 'jwt-1')}`,
    });
    expect(old.status).toBe(201);
    expect((await grants(during, OLD.USER_TOKEN_SECRET, 'jwt-1')).status).toBe(200);
    expect((await grants(during, NEW.USER_TOKEN_SECRET, 'jwt-1')).status).toBe(200);
    // Still held to every other check: a token for another user is refused as before.
    const mismatch = await join_(during, 'rot-open', 'jwt-2', {
      auth: `Bearer ${token(OLD.USER_TOKEN_SECRET, 'jwt-1')}`,
    });
    expect(outcome(mismatch)).toEqual([403, 'user_mismatch']);
    const refused = await grants(after, OLD.USER_TOKEN_SECRET, 'jwt-1');
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toBe(
      'invalid user token: its signature does not verify with the user token secret',
    );
    expect((await grants(after, NEW.USER_TOKEN_SECRET, 'jwt-1')).status).toBe(200);
  });

  it('a webhook carries both signatures while the previous secret is kept: the receiver verifies it with either', async () => {
    const alert = (occurrence: string) => ({
      event: 'reconcile.discrepancy' as const,
      campaignId: null,
      occurrence,
      details: {},
    });
    expect(await during.delivery.alerts.raise(alert('rotation-1'))).toBe('sent');
    expect(await after.delivery.alerts.raise(alert('rotation-2'))).toBe('sent');
    const [both, single] = received;
    if (!both || !single) throw new Error(`received ${received.length} webhooks`);
    expect(both.signature).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const verifies = (hook: ReceivedWebhook, secret: string) =>
      verifySignature({
        secret,
        body: hook.body,
        timestamp: hook.timestamp,
        signature: hook.signature,
        now: NOW,
      });
    expect(verifies(both, NEW.WEBHOOK_SECRET)).toBe(true);
    expect(verifies(both, OLD.WEBHOOK_SECRET)).toBe(true);
    expect(verifies(both, 'a-receiver-with-some-other-secret-entirely')).toBe(false);
    // WEBHOOK_SECRET_PREVIOUS removed: one signature, with the new secret only.
    expect(single.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifies(single, NEW.WEBHOOK_SECRET)).toBe(true);
    expect(verifies(single, OLD.WEBHOOK_SECRET)).toBe(false);
  });
});
