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
}

export interface DeviceDecision {
  result: 'pass' | 'deny';
  /** Accounts on the device after this decision (including this one when it passed); null when it was known. */
  accounts: number | null;
  max: number;
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
    // A slot is never given back, so max + 2 attempts always end (each lost race means one more slot taken).
    for (let attempt = 0; attempt < max + 2; attempt++) {
      const accounts = await this.port.accounts(campaignId, deviceId);
      if (accounts.some((a) => a.userId === userId)) {
        this.remember(knownKey);
        return { result: 'pass', accounts: accounts.length, max };
      }
      if (accounts.length >= max) return { result: 'deny', accounts: accounts.length, max };
      const slot = Math.max(0, ...accounts.map((a) => a.slot)) + 1;
      const claimed = await this.port.claim({ campaignId, deviceId, userId, slot, at: this.options.clock() });
      if (claimed === 'claimed') {
        this.remember(knownKey);
        return { result: 'pass', accounts: accounts.length + 1, max };
      }
    }
    throw new Error(`device ${deviceId}: could not settle a slot`);
  }

  private remember(key: string): void {
    this.known.set(key, true);
    if (this.known.size > (this.options.maxKnown ?? 100_000)) {
      const oldest = this.known.keys().next();
      if (oldest.done !== true) this.known.delete(oldest.value);
    }
  }
}
