/**
 * Webhook notifications: signed, sent once per occurrence, retried when the webhook fails, recorded without
 * NOTIFY_URL, and filtered by the campaign's notify.on for the business events.
 */
import nock from 'nock';
import { AlertService } from '../../../src/integrations/alert-service';
import { KnexNotificationStore } from '../../../src/integrations/knex-notification-store';
import { verifySignature } from '../../../src/integrations/notification-signature';
import { WebhookNotifier } from '../../../src/integrations/webhook-notifier';
import { silentLogger } from '../../../src/observability/logger';
import { fakeClock, type FakeClock } from '../../helpers/delivery';
import { describeEachLedger, useLedger } from '../../helpers/ledger';

const HOOK = 'http://hooks.notify.test';
const SECRET = 'whsec-notify';

describeEachLedger('webhook notifications', (kind) => {
  const ledger = useLedger(kind);
  const store = new KnexNotificationStore();
  let clock: FakeClock;
  let received: Array<{ body: string; timestamp: string; signature: string }>;
  let failures: number;

  function service(withNotifier = true): AlertService {
    return new AlertService({
      db: ledger.current.db,
      store,
      notifier: withNotifier
        ? new WebhookNotifier({ url: `${HOOK}/hook`, secret: SECRET, clock, sleep: async () => undefined })
        : null,
      subscriptions: (campaignId) => (campaignId === 'c1' ? ['stock.exhausted'] : undefined),
      clock,
      logger: silentLogger(),
      retryBaseMs: 60_000,
    });
  }

  beforeEach(async () => {
    clock = fakeClock(new Date('2026-11-11T02:00:00Z'));
    await ledger.current.db('notifications').delete();
    received = [];
    failures = 0;
    nock(HOOK)
      .persist()
      .post('/hook')
      .reply(function (_uri, body) {
        if (failures > 0) {
          failures -= 1;
          return [500];
        }
        received.push({
          body: JSON.stringify(body),
          timestamp: String(this.req.headers['x-pocket-timestamp']),
          signature: String(this.req.headers['x-pocket-signature']),
        });
        return [204];
      });
  });
  afterEach(() => {
    nock.cleanAll();
  });

  const stock = {
    event: 'stock.exhausted' as const,
    campaignId: 'c1',
    occurrence: 'reward:rp/5',
    details: { rewardId: 'rp' },
  };

  it('sends a signed message once per occurrence', async () => {
    const alerts = service();
    expect(await alerts.raise(stock)).toBe('sent');
    expect(await alerts.raise(stock)).toBe('duplicate');
    expect(await alerts.raise({ ...stock, occurrence: 'reward:rp/10' })).toBe('sent');
    expect(received).toHaveLength(2);
    const [first] = received;
    if (!first) throw new Error('nothing received');
    expect(JSON.parse(first.body)).toMatchObject({
      event: 'stock.exhausted',
      campaignId: 'c1',
      occurrence: 'reward:rp/5',
    });
    expect(
      verifySignature({
        secret: SECRET,
        body: first.body,
        timestamp: first.timestamp,
        signature: first.signature,
        now: clock(),
      }),
    ).toBe(true);
    expect(
      verifySignature({
        secret: SECRET,
        body: first.body.replace('rp', 'xx'),
        timestamp: first.timestamp,
        signature: first.signature,
        now: clock(),
      }),
    ).toBe(false);
  });

  it('sends a claimed message once, though a retry run (or two) looks for due ones while it is being sent', async () => {
    const sent: string[] = [];
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let sending = (): void => undefined;
    const inSend = new Promise<void>((resolve) => (sending = resolve));
    const slow = new AlertService({
      db: ledger.current.db,
      store,
      notifier: {
        async send(message) {
          sending();
          await gate;
          sent.push(message.id);
        },
      },
      subscriptions: () => ['stock.exhausted'],
      clock,
      logger: silentLogger(),
    });
    const raising = slow.raise(stock);
    // The same minute's notifications job, on this instance and on another, while the webhook is slow: once the
    // message is being sent (a fixed 20 ms could pass before raise() had even recorded it, on a busy host).
    await inSend;
    expect(await Promise.all([slow.retryPending(), slow.retryPending()])).toEqual([0, 0]);
    release();
    expect(await raising).toBe('sent');
    expect(sent).toHaveLength(1);

    // A due message taken by two runs at once is sent by one of them.
    failures = 3;
    const alerts = service();
    const discrepancy = {
      event: 'reconcile.discrepancy' as const,
      campaignId: 'c2',
      occurrence: 'd2',
      details: {},
    };
    expect(await alerts.raise(discrepancy)).toBe('pending');
    clock.advance(60_000);
    const counts = await Promise.all([alerts.retryPending(), alerts.retryPending()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(received.filter((r) => r.body.includes('"d2"'))).toHaveLength(1);
  });

  it('retries within a send, then later, and gives up after the maximum attempts', async () => {
    const alerts = service();
    failures = 2; // the notifier's own retries get through
    expect(await alerts.raise(stock)).toBe('sent');
    expect(received).toHaveLength(1);

    failures = 3; // every attempt of this send fails: kept pending for a later retry
    const discrepancy = {
      event: 'reconcile.discrepancy' as const,
      campaignId: 'c2',
      occurrence: 'discrepancy:d1',
      details: {},
    };
    expect(await alerts.raise(discrepancy)).toBe('pending');
    expect(await alerts.retryPending()).toBe(0); // not due yet
    clock.advance(60_000);
    expect(await alerts.retryPending()).toBe(1);
    expect(received.map((r) => (JSON.parse(r.body) as { occurrence: string }).occurrence)).toEqual([
      'reward:rp/5',
      'discrepancy:d1',
    ]);
    const [row] = await store.list(ledger.current.db, { event: 'reconcile.discrepancy' });
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('stops a retry run before the next message once its worker lost the lease; the rest go out once later', async () => {
    const alerts = service();
    const occurrences = ['o1', 'o2', 'o3', 'o4', 'o5'];
    failures = 3 * occurrences.length; // every send fails (3 tries each): all pending
    for (const occurrence of occurrences) {
      expect(
        await alerts.raise({ event: 'reconcile.discrepancy', campaignId: 'c2', occurrence, details: {} }),
      ).toBe('pending');
    }
    clock.advance(60_000);
    // The scheduled job's question (JobRunner: LeaseKeeper.held()); the lease is lost once two went out.
    const stillLeader = () => received.length < 2;
    expect(await alerts.retryPending(100, stillLeader)).toBe(2);
    const sentOnce = (): string[] =>
      received.map((r) => (JSON.parse(r.body) as { occurrence: string }).occurrence).sort();
    expect(sentOnce()).toHaveLength(2); // due at the same time: in the order of their (random) ids
    const rows = await store.list(ledger.current.db, { event: 'reconcile.discrepancy' });
    expect(rows.filter((r) => r.status === 'pending').map((r) => r.attempts)).toEqual([1, 1, 1]);
    // The ones it had taken stay claimed for their send lease, then the new holder sends them, each once.
    expect(await alerts.retryPending()).toBe(0);
    clock.advance(60_000);
    expect(await alerts.retryPending()).toBe(3);
    expect(sentOnce()).toEqual(occurrences);
  });

  it('filters business events by notify.on, always sends discrepancies and dead letters, records without a URL', async () => {
    const alerts = service();
    expect(await alerts.raise({ ...stock, campaignId: 'c2' })).toBe('unsubscribed');
    expect(
      await alerts.raise({ event: 'budget.80pct', campaignId: 'c1', occurrence: 'total/10', details: {} }),
    ).toBe('unsubscribed');
    expect(
      await alerts.raise({ event: 'grant.dead_lettered', campaignId: 'c2', occurrence: 'd2', details: {} }),
    ).toBe('sent');
    expect(received).toHaveLength(1);
    const silent = service(false);
    expect(await silent.raise({ ...stock, occurrence: 'reward:rp/7' })).toBe('skipped');
    expect(await silent.raise({ ...stock, occurrence: 'reward:rp/7' })).toBe('duplicate');
    const rows = await store.list(ledger.current.db, { campaignId: 'c1' });
    expect(rows.map((r) => [r.message.occurrence, r.status])).toEqual([['reward:rp/7', 'skipped']]);
  });
});
