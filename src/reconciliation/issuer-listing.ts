/**
 * Reads one issuer's issued records over a window, every page of it, or fails. A listing that did not reach its
 * end (the issuer failed, its cursor came back again, or it still had pages after `maxPages`) is not a listing:
 * read as complete, every grant it left out would look missing downstream and be paid again. So any of these
 * throws an IssuerListingError, and the offline run fails before it changes anything.
 */
import { IssuerListingError } from '../integrations/issuer-listing-error';
import type { IssuedRecord, Issuer } from '../integrations/issuer';

export interface ListingLimits {
  pageSize: number;
  /** Upper bound on pages, against a cursor that never ends without repeating itself. */
  maxPages: number;
}

/**
 * Pure: why the listing cannot follow `next` after `pagesRead` pages whose cursors were `cursors`, or null when
 * it can (or when `next` is null: the listing ended). A cursor seen before means a loop: the same query with the
 * same cursor answers the same page, so the listing would never end.
 */
export function cursorProblem(
  cursors: ReadonlySet<string>,
  next: string | null,
  pagesRead: number,
  maxPages: number,
): string | null {
  if (next === null) return null;
  if (cursors.has(next))
    return `the listing never ends: cursor ${JSON.stringify(next)} came back after page ${pagesRead}`;
  if (pagesRead >= maxPages) return `the listing did not end within ${maxPages} pages`;
  return null;
}

/**
 * Every record the issuer lists for [from, to), in its order (only those `keep` accepts, when given); throws an
 * IssuerListingError when incomplete.
 */
export async function readListing(
  issuer: Issuer,
  window: { from: Date; to: Date },
  limits: ListingLimits,
  keep: (record: IssuedRecord) => boolean = () => true,
): Promise<IssuedRecord[]> {
  const failure = (reason: string) => new IssuerListingError(issuer.name, issuer.listingUrl ?? null, reason);
  const records: IssuedRecord[] = [];
  const cursors = new Set<string>();
  let cursor: string | null = null;
  for (let pages = 1; ; pages++) {
    let page;
    try {
      page = await issuer.listIssued({
        since: window.from,
        until: window.to,
        cursor,
        limit: limits.pageSize,
      });
    } catch (error) {
      if (error instanceof IssuerListingError) throw error;
      throw failure(error instanceof Error ? error.message : String(error));
    }
    records.push(...page.records.filter(keep));
    const problem = cursorProblem(cursors, page.nextCursor, pages, limits.maxPages);
    if (problem !== null) throw failure(problem);
    if (page.nextCursor === null) return records;
    cursors.add(page.nextCursor);
    cursor = page.nextCursor;
  }
}
