/** Pure: the issuers' listings merged by grant id, and the grants listed more than once (money paid twice). */
import type { IssuedRecord } from '../integrations/issuer';

export interface Downstream {
  issuer: string;
  record: IssuedRecord;
}

export interface Listing {
  issuer: string;
  records: readonly IssuedRecord[];
}

export interface MergedListings {
  /** Each listed grant with its first listing (issuers in the given order, records in each issuer's order). */
  byGrant: Map<string, Downstream>;
  /**
   * Grants listed more than once, by one issuer or by several, with every listing in that order: each is one
   * issued_twice difference, however many times it is listed.
   */
  duplicated: Map<string, Downstream[]>;
}

export function mergeListings(listings: readonly Listing[]): MergedListings {
  const all = new Map<string, Downstream[]>();
  for (const { issuer, records } of listings) {
    for (const record of records) {
      const seen = all.get(record.grantId);
      if (seen) seen.push({ issuer, record });
      else all.set(record.grantId, [{ issuer, record }]);
    }
  }
  const byGrant = new Map<string, Downstream>();
  const duplicated = new Map<string, Downstream[]>();
  for (const [grantId, downs] of all) {
    const [first] = downs;
    if (first) byGrant.set(grantId, first);
    if (downs.length > 1) duplicated.set(grantId, downs);
  }
  return { byGrant, duplicated };
}

/** The details of an issued_twice discrepancy: who listed the grant, and each record, in listing order. */
export function issuedTwiceDetails(downs: readonly Downstream[]): Record<string, unknown> {
  return {
    issuers: downs.map((d) => d.issuer),
    records: downs.map((d) => ({ ...d.record, issuedAt: d.record.issuedAt.toISOString() })),
  };
}
