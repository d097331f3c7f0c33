import type { Executor } from './db';

export interface DeviceAccount {
  userId: string;
  slot: number;
}

/** `deadlineMs` (both methods): unanswered by then, the statement fails and its connection is dropped. */
export interface DeviceAccountStore {
  /** The accounts seen on a device in a campaign, by slot. */
  accounts(q: Executor, campaignId: string, deviceId: string, deadlineMs?: number): Promise<DeviceAccount[]>;
  /**
   * Claims `slot` for the user; 'taken' when a parallel claim got that slot (or this user) first, and the
   * caller reads again.
   */
  claim(
    q: Executor,
    claim: { campaignId: string; deviceId: string; userId: string; slot: number; at: Date },
    deadlineMs?: number,
  ): Promise<'claimed' | 'taken'>;
  /** Removes the user's row on the device, if any. */
  release(
    q: Executor,
    r: { campaignId: string; deviceId: string; userId: string },
    deadlineMs?: number,
  ): Promise<void>;
}
