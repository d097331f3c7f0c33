import { KnexApiTokenStore } from '../../../src/ledger/knex-api-token-store';
import { KnexBlocklistStore } from '../../../src/ledger/knex-blocklist-store';
import { KnexCodeNonceStore } from '../../../src/ledger/knex-code-nonce-store';
import { KnexDeviceAccountStore } from '../../../src/ledger/knex-device-account-store';
import { describeEachLedger, useLedger } from '../../helpers/ledger';

const AT = new Date('2026-11-11T02:00:00Z');

describeEachLedger('protection stores', (kind) => {
  const ledger = useLedger(kind);
  afterEach(async () => {
    const { db } = ledger.current;
    for (const table of ['api_tokens', 'blocklist', 'protection_revisions', 'device_accounts'])
      await db(table).delete();
  });

  it('api tokens: insert, find, list newest first, revoke once', async () => {
    const { db } = ledger.current;
    const store = new KnexApiTokenStore();
    const base = { name: null, secretHash: 'ab'.repeat(32), revokedAt: null };
    await store.insert(db, { ...base, id: '1'.repeat(16), scopes: ['read', 'publish'], createdAt: AT });
    await store.insert(db, {
      ...base,
      id: '2'.repeat(16),
      scopes: ['participate'],
      createdAt: new Date(AT.getTime() + 1000),
    });
    expect(await store.find(db, '1'.repeat(16))).toEqual({
      ...base,
      id: '1'.repeat(16),
      scopes: ['read', 'publish'],
      createdAt: AT,
    });
    expect(await store.find(db, 'f'.repeat(16))).toBeNull();
    expect((await store.list(db)).map((t) => t.id)).toEqual(['2'.repeat(16), '1'.repeat(16)]);
    expect(await store.revoke(db, '1'.repeat(16), AT)).toBe(true);
    expect(await store.revoke(db, '1'.repeat(16), AT)).toBe(false);
    expect((await store.find(db, '1'.repeat(16)))?.revokedAt).toEqual(AT);
  });

  it('blocklist: upsert tells new from updated, every change bumps the revision in the same transaction', async () => {
    const { db } = ledger.current;
    const store = new KnexBlocklistStore();
    expect(await store.revision(db)).toBe(0);
    const entry = { kind: 'user' as const, value: 'u-1', reason: 'first', createdAt: AT };
    await db.transaction(async (trx) => {
      expect(await store.upsert(trx, entry)).toBe(true);
      await store.bumpRevision(trx);
    });
    await db.transaction(async (trx) => {
      expect(await store.upsert(trx, { ...entry, reason: 'second' })).toBe(false);
      await store.bumpRevision(trx);
    });
    expect(await store.revision(db)).toBe(2);
    expect(await store.list(db)).toEqual([{ ...entry, reason: 'second' }]);
    await db
      .transaction(async (trx) => {
        await store.remove(trx, 'user', 'u-1');
        await store.bumpRevision(trx);
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(await store.revision(db)).toBe(2);
    expect(await store.list(db)).toHaveLength(1);
  });

  it('device accounts: a slot or a user already on the device is "taken"', async () => {
    const { db } = ledger.current;
    const store = new KnexDeviceAccountStore();
    const claim = { campaignId: 'c', deviceId: 'd', at: AT };
    expect(await store.claim(db, { ...claim, userId: 'u1', slot: 1 })).toBe('claimed');
    expect(await store.claim(db, { ...claim, userId: 'u2', slot: 1 })).toBe('taken');
    expect(await store.claim(db, { ...claim, userId: 'u1', slot: 2 })).toBe('taken');
    expect(await store.claim(db, { ...claim, userId: 'u2', slot: 2 })).toBe('claimed');
    expect(await store.claim(db, { ...claim, campaignId: 'other', userId: 'u3', slot: 1 })).toBe('claimed');
    expect(await store.accounts(db, 'c', 'd')).toEqual([
      { userId: 'u1', slot: 1 },
      { userId: 'u2', slot: 2 },
    ]);
  });

  it('code nonces: used once a participation row holds them', async () => {
    const { db } = ledger.current;
    const store = new KnexCodeNonceStore();
    expect(await store.isUsed(db, 'c', 'nonce-1')).toBe(false);
    await db('participations').insert({
      id: 'p1',
      campaign_id: 'c',
      user_id: 'u',
      idem_key: 'k',
      request_hash: 'h',
      outcome: 'code_missing',
      status_code: 403,
      response: '{}',
      code_nonce: 'nonce-1',
      created_at: AT,
    });
    expect(await store.isUsed(db, 'c', 'nonce-1')).toBe(true);
    expect(await store.isUsed(db, 'other', 'nonce-1')).toBe(false);
  });
});
