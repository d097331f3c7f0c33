import type { DeviceAccount } from '../../../src/ledger/device-account-store';
import { DeviceVelocity, type DeviceAccountsPort } from '../../../src/protection/device-velocity';

/** An in-memory device_accounts table with the same uniqueness rules, whose reads can be held to force races. */
class FakeTable implements DeviceAccountsPort {
  rows: Array<DeviceAccount & { key: string }> = [];
  reads = 0;
  async accounts(campaignId: string, deviceId: string): Promise<DeviceAccount[]> {
    this.reads++;
    const key = `${campaignId}|${deviceId}`;
    const snapshot = this.rows.filter((r) => r.key === key).map(({ userId, slot }) => ({ userId, slot }));
    await new Promise((resolve) => setImmediate(resolve)); // every claimant reads before anyone writes
    return snapshot;
  }
  claim(c: {
    campaignId: string;
    deviceId: string;
    userId: string;
    slot: number;
  }): Promise<'claimed' | 'taken'> {
    const key = `${c.campaignId}|${c.deviceId}`;
    const clash = this.rows.some((r) => r.key === key && (r.slot === c.slot || r.userId === c.userId));
    if (clash) return Promise.resolve('taken');
    this.rows.push({ key, userId: c.userId, slot: c.slot });
    return Promise.resolve('claimed');
  }
  release(campaignId: string, deviceId: string, userId: string): Promise<void> {
    const key = `${campaignId}|${deviceId}`;
    this.rows = this.rows.filter((r) => !(r.key === key && r.userId === userId));
    return Promise.resolve();
  }
}

const clock = () => new Date(0);

describe('DeviceVelocity (maxAccountsPerDevice)', () => {
  it('admits accounts up to the limit, then refuses new ones but keeps admitting known ones', async () => {
    const table = new FakeTable();
    const v = new DeviceVelocity(table, { clock });
    expect((await v.admit('c', 'd', 'u1', 2)).result).toBe('pass');
    expect(await v.admit('c', 'd', 'u2', 2)).toEqual({ result: 'pass', accounts: 2, max: 2, claimed: true });
    expect(await v.admit('c', 'd', 'u3', 2)).toEqual({ result: 'deny', accounts: 2, max: 2 });
    expect((await v.admit('c', 'd', 'u1', 2)).result).toBe('pass');
    expect((await v.admit('c', 'other-device', 'u3', 2)).result).toBe('pass');
    expect((await v.admit('other-campaign', 'd', 'u3', 2)).result).toBe('pass');
  });

  it('parallel claims from many accounts on one device admit exactly max of them', async () => {
    const table = new FakeTable();
    const v = new DeviceVelocity(table, { clock });
    const users = Array.from({ length: 30 }, (_, i) => `u${i}`);
    const results = await Promise.all(users.map((u) => v.admit('c', 'd', u, 3)));
    expect(results.filter((r) => r.result === 'pass')).toHaveLength(3);
    expect(table.rows).toHaveLength(3);
    expect(table.rows.map((r) => r.slot).sort()).toEqual([1, 2, 3]);
  });

  it('a released slot is taken again, and slots stay within 1..max under parallel claims after releases', async () => {
    const table = new FakeTable();
    const v = new DeviceVelocity(table, { clock });
    for (const u of ['u1', 'u2', 'u3']) expect((await v.admit('c', 'd', u, 3)).result).toBe('pass');
    await v.release('c', 'd', 'u2');
    const users = Array.from({ length: 20 }, (_, i) => `n${i}`);
    const results = await Promise.all(users.map((u) => v.admit('c', 'd', u, 3)));
    expect(results.filter((r) => r.result === 'pass')).toHaveLength(1);
    expect(table.rows.map((r) => r.slot).sort()).toEqual([1, 2, 3]);
    // A released account is no longer known: it is read and needs a free slot again.
    expect((await v.admit('c', 'd', 'u2', 3)).result).toBe('deny');
  });

  it('a known account costs no read on its next visit (bounded memory)', async () => {
    const table = new FakeTable();
    const v = new DeviceVelocity(table, { clock, maxKnown: 2 });
    await v.admit('c', 'd', 'u1', 5);
    const reads = table.reads;
    expect(await v.admit('c', 'd', 'u1', 5)).toEqual({ result: 'pass', accounts: null, max: 5 });
    expect(table.reads).toBe(reads);
    await v.admit('c', 'd', 'u2', 5);
    await v.admit('c', 'd', 'u3', 5);
    await v.admit('c', 'd', 'u1', 5);
    expect(table.reads).toBe(reads + 3);
  });
});
