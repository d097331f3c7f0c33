import { decideRedelivery } from '../../../src/delivery/redelivery-decision';
import type { GrantStatus } from '../../../src/ledger/grant-store';
import type { OutboxStatus } from '../../../src/ledger/outbox-store';

const now = new Date('2026-11-11T02:00:00.000Z');
const later = new Date(now.getTime() + 30_000);

function entry(status: OutboxStatus, over: { lockedUntil?: Date | null; lockedBy?: string | null } = {}) {
  return { status, attempts: 12, nextAttemptAt: now, lockedUntil: null, lockedBy: null, ...over };
}

function refusal(status: GrantStatus | null, e: ReturnType<typeof entry> | null) {
  const decision = decideRedelivery('g-1', status === null ? null : { status }, e, now);
  return decision.ok ? 'ok' : [decision.error.status, decision.error.code, decision.error.message];
}

describe('redelivery decision', () => {
  it('redelivers a dead delivery of a failed, dead (or pending) grant, returning both', () => {
    const dead = entry('dead');
    const decision = decideRedelivery('g-1', { status: 'dead', id: 'g-1' }, dead, now);
    expect(decision).toEqual({ ok: true, grant: { status: 'dead', id: 'g-1' }, entry: dead });
    expect(refusal('failed', entry('dead'))).toBe('ok');
    expect(refusal('pending', entry('dead'))).toBe('ok');
  });

  it('refuses an unknown, void or delivered grant, and one without a delivery', () => {
    expect(refusal(null, null)).toEqual([404, 'grant_not_found', 'grant g-1 does not exist']);
    expect(refusal('void', entry('done'))).toEqual([
      409,
      'grant_void',
      'grant g-1 is void: there is nothing to redeliver',
    ]);
    expect(refusal('delivered', entry('done'))).toEqual([
      409,
      'grant_delivered',
      'grant g-1 was already delivered: the issuer has it',
    ]);
    expect(refusal('dead', null)).toEqual([
      409,
      'no_delivery',
      'grant g-1 has no delivery to redeliver (consolations are never sent)',
    ]);
    expect(refusal('dead', entry('done'))).toEqual([
      409,
      'delivery_closed',
      'grant g-1 has no open delivery: it was completed',
    ]);
  });

  it('refuses a delivery still pending or in flight: the relay is on it', () => {
    expect(refusal('pending', entry('pending'))).toEqual([
      409,
      'delivery_pending',
      'grant g-1 is still pending delivery (12 attempts so far, next at 2026-11-11T02:00:00.000Z): the relay retries it by itself',
    ]);
    expect(refusal('dead', entry('pending', { lockedUntil: later, lockedBy: 'relay-a' }))).toEqual([
      409,
      'delivery_in_flight',
      'grant g-1 is being delivered right now (claimed by relay-a until 2026-11-11T02:00:30.000Z)',
    ]);
    // A claim that ran out is no longer in flight: the entry just waits for its next claim.
    expect(refusal('pending', entry('pending', { lockedUntil: now, lockedBy: 'relay-a' }))).toEqual([
      409,
      'delivery_pending',
      expect.stringMatching(/still pending delivery/),
    ]);
  });
});
