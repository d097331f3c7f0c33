/**
 * What a webhook receiver sees when it is slow or refuses: the README's "Notifications" promise that a message
 * seen again carries the same `id` (to deduplicate by) with a fresh timestamp and signature, and that a refusal
 * (a 4xx other than 408/429) is not repeated within the send.
 */
import nock from 'nock';
import type { NotificationMessage } from '../../../src/integrations/notifier';
import { verifySignature } from '../../../src/integrations/notification-signature';
import { WebhookNotifier } from '../../../src/integrations/webhook-notifier';

const HOOK = 'http://hooks.notifier-unit.test';
const SECRET = 's'.repeat(40);

const message: NotificationMessage = {
  id: 'n-1',
  event: 'reconcile.discrepancy',
  campaignId: 'c1',
  occurrence: 'discrepancy:d1',
  at: '2026-11-11T02:00:00.000Z',
  details: { kind: 'record_mismatch' },
};

interface Seen {
  body: string;
  timestamp: string;
  signature: string;
}

function receiver(answer: (n: number) => { status: number; delayMs?: number }): Seen[] {
  const seen: Seen[] = [];
  nock(HOOK)
    .persist()
    .post('/pocket')
    .reply(function (_uri, body, callback) {
      seen.push({
        body: typeof body === 'string' ? body : JSON.stringify(body),
        timestamp: String(this.req.headers['x-pocket-timestamp']),
        signature: String(this.req.headers['x-pocket-signature']),
      });
      const { status, delayMs = 0 } = answer(seen.length);
      setTimeout(() => callback(null, [status, '']), delayMs);
    });
  return seen;
}

describe('webhook notifier, as a receiver sees it', () => {
  let now = Date.parse('2026-11-11T02:00:00.000Z');
  const clock = () => new Date(now);
  const notifier = (timeoutMs = 5000) =>
    new WebhookNotifier({
      url: `${HOOK}/pocket`,
      secret: SECRET,
      timeoutMs,
      clock,
      sleep: (ms) => {
        now += ms + 1000; // a second apart at least, so each attempt has its own timestamp
        return Promise.resolve();
      },
    });
  afterEach(() => nock.cleanAll());

  it('sends a message again, same id, freshly signed, when the receiver answers too late', async () => {
    const seen = receiver((n) => (n === 1 ? { status: 204, delayMs: 300 } : { status: 204 }));
    await notifier(100).send(message);
    expect(seen).toHaveLength(2);
    const ids = seen.map((s) => (JSON.parse(s.body) as { id: string }).id);
    expect(ids).toEqual(['n-1', 'n-1']);
    expect(seen[0]?.timestamp).not.toBe(seen[1]?.timestamp);
    for (const s of seen) {
      expect(verifySignature({ secret: SECRET, ...s, now: new Date(Number(s.timestamp) * 1000) })).toBe(true);
    }
  });

  it('tries a 5xx 3 times within the send, a refusal (401) once', async () => {
    const failing = receiver(() => ({ status: 503 }));
    await expect(notifier().send(message)).rejects.toThrow('HTTP 503');
    expect(failing).toHaveLength(3);
    nock.cleanAll();
    const refusing = receiver(() => ({ status: 401 }));
    await expect(notifier().send(message)).rejects.toThrow('HTTP 401');
    expect(refusing).toHaveLength(1);
  });
});
