/** Blocklist subjects (pure): validation and the canonical form of each kind. */
import { isIP } from 'node:net';
import { normalizeIp } from '../shared/ip-address';
import type { BlockKind } from '../ledger/blocklist-store';
import { USER_ID, USER_ID_RULE } from '../shared/user-id';

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The canonical value for `kind`, or throws RangeError naming what is wrong. */
export function blockValue(kind: BlockKind, value: string): string {
  switch (kind) {
    case 'user':
      if (!USER_ID.test(value)) throw new RangeError(`a user id is ${USER_ID_RULE}`);
      return value;
    case 'device':
      if (!DEVICE_ID.test(value))
        throw new RangeError('a device id is 1-128 characters of A-Z a-z 0-9 . _ : -');
      return value;
    case 'ip': {
      const ip = normalizeIp(value);
      if (isIP(ip) === 0) throw new RangeError(`"${value}" is not an IPv4 or IPv6 address`);
      return ip;
    }
  }
}

export function blockKey(kind: BlockKind, value: string): string {
  return `${kind}:${value}`;
}
