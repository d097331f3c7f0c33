/**
 * Which open discrepancies a run resolves as no longer observed: only ones it looked at again (its grant was
 * examined, or its record was issued inside the read window) and did not find, and under a campaign filter only
 * that campaign's and those about grants unknown to the ledger.
 */
import type { Discrepancy } from '../../../src/reconciliation/discrepancy-store';
import { noLongerObserved, type RunScope } from '../../../src/reconciliation/earlier-discrepancies';

const read = { from: new Date('2026-11-11T00:45:00Z'), to: new Date('2026-11-11T03:15:00Z') };
const inside = '2026-11-11T02:00:00.000Z';
const outside = '2026-11-10T02:00:00.000Z';

function discrepancy(
  id: string,
  over: Partial<Discrepancy> & Pick<Discrepancy, 'kind' | 'campaignId' | 'grantId'>,
): Discrepancy {
  return {
    id,
    runId: 'r0',
    details: {},
    status: 'open',
    resolution: null,
    createdAt: new Date('2026-11-10T00:00:00Z'),
    resolvedAt: null,
    resolvedBy: null,
    ...over,
  };
}

const scope = (over: Partial<RunScope> = {}): RunScope => ({
  campaignId: null,
  examined: new Set(),
  found: new Set(),
  read,
  owners: new Map(),
  ...over,
});
const ids = (ds: Discrepancy[]) => ds.map((d) => d.id);

const mismatchA = discrepancy('m-a', { kind: 'record_mismatch', campaignId: 'a', grantId: 'g-a' });
const mismatchB = discrepancy('m-b', { kind: 'record_mismatch', campaignId: 'b', grantId: 'g-b' });
const voidB = discrepancy('v-b', {
  kind: 'voided_but_issued',
  campaignId: 'b',
  grantId: 'g-b2',
  details: { record: { issuedAt: inside } },
});
const legacyTwiceB = discrepancy('t-b', {
  kind: 'issued_twice',
  campaignId: null,
  grantId: 'g-b3',
  details: { records: [{ issuedAt: inside }] },
});
const ghost = discrepancy('u', {
  kind: 'unknown_downstream',
  campaignId: null,
  grantId: 'ghost',
  details: { record: { issuedAt: inside } },
});
const oldGhost = discrepancy('u-old', {
  kind: 'unknown_downstream',
  campaignId: null,
  grantId: 'ghost-old',
  details: { record: { issuedAt: outside } },
});
const all = [mismatchA, mismatchB, voidB, legacyTwiceB, ghost, oldGhost];

describe('noLongerObserved', () => {
  it('resolves, in a run over every campaign, what it examined or whose record was in the window', () => {
    const run = scope({ examined: new Set(['g-a', 'g-b']), found: new Set(['record_mismatch:g-b']) });
    expect(ids(noLongerObserved(all, run))).toEqual(['m-a', 'v-b', 't-b', 'u']);
  });

  it("never resolves another campaign's, even examined or in the window, nor a campaign-less row of its grant", () => {
    const run = scope({
      campaignId: 'a',
      examined: new Set(['g-a', 'g-b']),
      owners: new Map([['g-b3', 'b']]),
    });
    expect(ids(noLongerObserved(all, run))).toEqual(['m-a', 'u']);
  });

  it('keeps what the run found again, and what it did not look at', () => {
    const run = scope({
      campaignId: 'a',
      found: new Set(['record_mismatch:g-a', 'unknown_downstream:ghost']),
      owners: new Map([['g-b3', 'b']]),
    });
    expect(ids(noLongerObserved(all, run))).toEqual([]);
  });
});
