/**
 * Velocity `maxAccountsPerDevice`: how many distinct accounts may take part from one device in one campaign.
 * Kept in the ledger (device_accounts): an account takes the next free slot of its device and
 * `unique (campaign, device, slot)` decides between parallel claims, so the limit holds exactly on PostgreSQL
 * and SQLite under any concurrency, and survives a Redis restart. An account counts from its first screened
 * participation on the device, whatever that participation's outcome.
 */
import type { DeviceAccount } from '../ledger/device-account-store';

export interface DeviceAccountsPort {
  accounts(campaignId: string, deviceId: string): Promise<DeviceAccount[]>;
  claim(claim: {
    campaignId: string;
    deviceId: string;
    userId: string;
    slot: number;
    at: Date;
  }): Promise<'claimed' | 'taken'>;
  /** Gives the user's slot on the device back. */
  release(campaignId: string, deviceId: string, userId: string): Promise<void>;
}

export interface DeviceDecision {
  result: 'pass' | 'deny';
  /** Accounts on the device after this decision (including this one when it passed); null when it was known. */
  accounts: number | null;
  max: number;
  /** This call took the slot (the account is new on the device): `release` may give it back. */
  claimed?: true;
}

export class DeviceVelocity {
  /** Accounts known to hold a slot: the common repeat visit costs no read. Bounded. */
  private readonly known = new Map<string, true>();

  constructor(
    private readonly port: DeviceAccountsPort,
    private readonly options: { clock: () => Date; maxKnown?: number },
  ) {}

  async admit(campaignId: string, deviceId: string, userId: string, max: number): Promise<DeviceDecision> {
    const knownKey = JSON.stringify([campaignId, deviceId, userId]);
    if (this.known.has(knownKey)) return { result: 'pass', accounts: null, max };
    // Each lost race means a slot another account took, so max + 2 attempts end unless slots are given back
    // meanwhile (a 503), which a stuck retry loop would need to happen over and over: it then fails (503).
    for (let attempt = 0; attempt < max + 2; attempt++) {
      const accounts = await this.port.accounts(campaignId, deviceId);
      if (accounts.some((a) => a.userId === userId)) {
        this.remember(knownKey);
        return { result: 'pass', accounts: accounts.length, max };
      }
      if (accounts.length >= max) return { result: 'deny', accounts: accounts.length, max };
      // The lowest free slot, never above max: slots stay within 1..max even after a release left a gap, so
      // `unique (campaign, device, slot)` alone bounds the accounts, whatever the races.
      const taken = new Set(accounts.map((a) => a.slot));
      let slot = 1;
      while (taken.has(slot)) slot++;
      const claimed = await this.port.claim({ campaignId, deviceId, userId, slot, at: this.options.clock() });
      if (claimed === 'claimed') {
        this.remember(knownKey);
        return { result: 'pass', accounts: accounts.length + 1, max, claimed: true };
      }
    }
    throw new Error(`device ${deviceId}: could not settle a slot`);
  }

  /**
   * Gives back a slot `admit` just claimed, for a participation that ended without a final answer (the risk
   * service failed: 503): that account was never screened, and must not keep another account off the device.
   */
  async release(campaignId: string, deviceId: string, userId: string): Promise<void> {
    this.known.delete(JSON.stringify([campaignId, deviceId, userId]));
    await this.port.release(campaignId, deviceId, userId);
  }

  private remember(key: string): void {
    this.known.set(key, true);
    if (this.known.size > (this.options.maxKnown ?? 100_000)) {
      const oldest = this.known.keys().next();
      if (oldest.done !== true) this.known.delete(oldest.value);
    }
  }
}
