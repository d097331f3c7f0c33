import type { AvailabilitySnapshot, CampaignCounters, Range, Reservation, UserCounters } from './hot-state';
import { decodeKeyPart } from './redis-keys';

/** Parses the replies of the hot-state Lua scripts (see redis-counter-scripts.ts for their shapes). */

function toNumber(value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isSafeInteger(n)) {
    throw new Error(`hot state: unexpected number in Redis reply: ${String(value)}`);
  }
  return n;
}

function optionalRange(start: string | undefined, end: string | undefined): Range | null {
  return start === undefined || start === '' ? null : [toNumber(start), toNumber(end)];
}

function parseRangeMember(member: string): Range {
  const [start, end] = member.split(':');
  return [toNumber(start), toNumber(end)];
}

export function parseReservation(campaignId: string, id: string, encoded: string): Reservation {
  const r = JSON.parse(encoded) as string[];
  return {
    id,
    campaignId,
    userId: decodeKeyPart(r[0] ?? ''),
    rewardId: decodeKeyPart(r[1] ?? ''),
    businessDate: decodeKeyPart(r[2] ?? ''),
    charge: toNumber(r[3]),
    stockSlot: r[4] === undefined || r[4] === '' ? null : toNumber(r[4]),
    budgetRange: optionalRange(r[5], r[6]),
    dailyRange: optionalRange(r[7], r[8]),
    expiresAt: toNumber(r[9]),
  };
}

export function parseAvailability(reply: string[], rewardIds: readonly string[]): AvailabilitySnapshot {
  if (reply.length === 0) return { initialized: false, stockUsed: {}, spent: 0, dailySpent: 0 };
  const stockUsed: Record<string, number> = {};
  rewardIds.forEach((rewardId, i) => {
    const used = reply[5 + i];
    if (used !== undefined && used !== '') stockUsed[rewardId] = toNumber(used);
  });
  return {
    initialized: true,
    stockUsed,
    spent: toNumber(reply[1]) - toNumber(reply[2]),
    dailySpent: toNumber(reply[3]) - toNumber(reply[4]),
  };
}

type CountersReply = [stock: string[][], budget: string[], daily: string[][]];

export function parseCounters(reply: CountersReply | null): CampaignCounters | null {
  if (reply === null) return null;
  const [stockItems, budgetItem, dailyItems] = reply;
  const stock: CampaignCounters['stock'] = {};
  for (const [reward, top, ...free] of stockItems) {
    stock[decodeKeyPart(reward ?? '')] = { top: toNumber(top), free: free.map(toNumber) };
  }
  const [budgetTop, ...budgetFree] = budgetItem;
  const daily: CampaignCounters['daily'] = {};
  for (const [date, top, ...free] of dailyItems) {
    daily[decodeKeyPart(date ?? '')] = { top: toNumber(top), free: free.map(parseRangeMember) };
  }
  return { stock, budget: { top: toNumber(budgetTop), free: budgetFree.map(parseRangeMember) }, daily };
}

export function parseUser(fields: Record<string, string>): UserCounters {
  const daily: Record<string, number> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (field.startsWith('d:')) daily[decodeKeyPart(field.slice(2))] = toNumber(value);
  }
  return { total: fields.t === undefined ? 0 : toNumber(fields.t), daily };
}
