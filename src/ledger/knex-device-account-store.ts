import { withDeadline, type Executor } from './db';
import type { DeviceAccount, DeviceAccountStore } from './device-account-store';
import { toNumber } from './row-values';
import { isUniqueViolation } from './unique-violation';

type Row = Record<string, unknown>;

export class KnexDeviceAccountStore implements DeviceAccountStore {
  async accounts(
    q: Executor,
    campaignId: string,
    deviceId: string,
    deadlineMs?: number,
  ): Promise<DeviceAccount[]> {
    const rows: Row[] = await withDeadline(
      q('device_accounts')
        .where({ campaign_id: campaignId, device_id: deviceId })
        .orderBy('slot')
        .select('user_id', 'slot'),
      deadlineMs,
    );
    return rows.map((r) => ({ userId: String(r.user_id), slot: toNumber(r.slot) }));
  }

  async claim(
    q: Executor,
    c: { campaignId: string; deviceId: string; userId: string; slot: number; at: Date },
    deadlineMs?: number,
  ): Promise<'claimed' | 'taken'> {
    try {
      await withDeadline(
        q('device_accounts').insert({
          campaign_id: c.campaignId,
          device_id: c.deviceId,
          user_id: c.userId,
          slot: c.slot,
          created_at: c.at,
        }),
        deadlineMs,
      );
      return 'claimed';
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken';
      throw error;
    }
  }

  async release(
    q: Executor,
    r: { campaignId: string; deviceId: string; userId: string },
    deadlineMs?: number,
  ): Promise<void> {
    await withDeadline(
      q('device_accounts')
        .where({ campaign_id: r.campaignId, device_id: r.deviceId, user_id: r.userId })
        .delete(),
      deadlineMs,
    );
  }
}
