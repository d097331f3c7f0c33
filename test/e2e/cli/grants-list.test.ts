/**
 * `pocket grants list` as a real process: a campaign's grants for finance from the embedded ledger of the
 * environment and from a running service (--server/--token, GET /admin/campaigns/{id}/grants), as a table, JSON
 * and CSV, paged past the page size; bad options and unknown campaigns fail.
 */
import request from 'supertest';
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import type { CampaignGrantsPage } from '../../../src/participation/campaign-grants-service';
import { CAMPAIGN } from '../../integration/observability/observability-fixtures';
import { json, pocket as run } from './run-pocket';
import { servedReportLedger, type ServedReportLedger } from './served-report-ledger';

describe('pocket grants list', () => {
  let served: ServedReportLedger;
  let env: ServedReportLedger['env'];
  let url: string;
  let token: string;
  let service: ServedReportLedger['service'];
  /** The ids in creation order (seven real grants, then the tester's, by the fixture's clock). */
  let ids: string[];
  /** vip-1's grant, delivered by the sandbox issuer; every other grant is still pending, handed to no issuer. */
  let delivered: string;

  beforeAll(async () => {
    served = await servedReportLedger('pocket-grants-list-', 'grants-list-cli');
    ({ env, url, token, service } = served);
    const all = await request(service.app)
      .get(`/admin/campaigns/${CAMPAIGN}/grants?limit=1000`)
      .set('Authorization', `Bearer ${token}`);
    const grants = (all.body as CampaignGrantsPage).grants;
    ids = grants.map((g) => g.id);
    // What the relay records when the sandbox answers: the status and the issuer, in one statement.
    delivered = grants.find((g) => g.userId === 'vip-1')!.id;
    const at = new Date('2026-11-11T02:30:00.000Z');
    expect(await new KnexGrantStore().setStatus(service.db, delivered, 'delivered', at, 'sandbox')).toBe(
      true,
    );
  });
  afterAll(() => served?.close());

  it('pages through the admin endpoint with a cursor, oldest first, every grant once', async () => {
    expect(ids).toHaveLength(8);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res = await request(service.app)
        .get(`/admin/campaigns/${CAMPAIGN}/grants?limit=3${after ? `&after=${after}` : ''}`)
        .set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      const page = res.body as CampaignGrantsPage;
      seen.push(...page.grants.map((g) => g.id));
      after = page.nextCursor;
    } while (after !== null);
    expect(seen).toEqual(ids);
  });

  it('prints the same grants from the ledger and from the service, as json, with money and currency', async () => {
    const local = await run(['grants', 'list', CAMPAIGN, '--format', 'json'], { env });
    const remote = await run(
      ['grants', 'list', CAMPAIGN, '--format', 'json', '--server', url, '--token', token],
      { env },
    );
    expect([local.code, local.stderr, remote.code, remote.stderr]).toEqual([0, '', 0, '']);
    const a = json<{ campaignId: string; grants: CampaignGrantsPage['grants'] }>(local);
    expect(json(remote)).toEqual(a);
    expect(a.campaignId).toBe(CAMPAIGN);
    expect(a.grants.map((g) => g.id)).toEqual(ids);
    // The coupons: face value 150, charge 50, in CNY minor units; the tester's grant flagged.
    expect(a.grants.filter((g) => g.rewardId === 'cp')).toHaveLength(4);
    expect(a.grants.find((g) => g.rewardId === 'cp')).toMatchObject({
      amount: 150,
      charge: 50,
      currency: 'CNY',
    });
    expect(a.grants.filter((g) => g.test).map((g) => g.userId)).toEqual(['qa-1']);
    // A tester's grant charged no budget: 0 (it showed the cost it would have had), so the charges of the list add
    // up to what the budget was charged, as the table's total says (5.00 CNY).
    expect(a.grants.find((g) => g.test)).toMatchObject({ charge: 0 });
    expect(a.grants.reduce((sum, g) => sum + Number(g.charge), 0)).toBe(500);
    // The issuer each grant was handed to: the sandbox for the delivered one, null for those still pending.
    expect(a.grants.find((g) => g.id === delivered)).toMatchObject({
      status: 'delivered',
      deliveredAt: '2026-11-11T02:30:00.000Z',
      issuer: 'sandbox',
    });
    const pending = a.grants.filter((g) => g.status === 'pending');
    expect(pending).toHaveLength(7);
    expect(pending.map((g) => g.issuer)).toEqual(Array<null>(7).fill(null));
  });

  it('streams CSV, filters by status and time, and prints a table with the totals', async () => {
    const csv = await run(
      ['grants', 'list', CAMPAIGN, '--format', 'csv', '--server', url, '--token', token],
      {
        env,
      },
    );
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'id,created_at,user_id,campaign_version,segment_id,reward_id,type,status,amount,charge,currency,business_date,test,delivered_at,voided_at,issuer',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ids);
    // The issuer is the last column: empty for a pending grant, `sandbox` for the one it delivered.
    expect(lines.find((l) => l.includes(',member-1,'))).toMatch(
      /,members,cp,coupon,pending,150,50,CNY,2026-11-11,false,,,$/,
    );
    expect(lines.find((l) => l.startsWith(`${delivered},`))).toMatch(
      /,vip-1,1,vips,rp-vip,red_packet,delivered,100,100,CNY,2026-11-11,false,2026-11-11T02:30:00\.000Z,,sandbox$/,
    );

    const none = await run(['grants', 'list', CAMPAIGN, '--status', 'void', '--format', 'csv'], { env });
    expect(none.stdout.split('\n')).toEqual([lines[0], '']);
    // The second batch, ten minutes after the first (the fixture's clock starts at 10:00 Shanghai).
    const later = await run(
      ['grants', 'list', CAMPAIGN, '--from', '2026-11-11T10:05:00+08:00', '--format', 'json'],
      {
        env,
      },
    );
    expect(json<{ grants: unknown[] }>(later).grants).toHaveLength(3);

    const table = await run(['grants', 'list', CAMPAIGN], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/member-1\s+cp\s+pending\s+1\.50 CNY\s+0\.50 CNY/);
    // Seven real grants: 3 packets of 1.00 and 4 coupons charging 0.50; the tester's counts in no budget.
    expect(table.stdout).toContain(
      '8 grants; charged to the budget (void and test grants left out): 5.00 CNY\n',
    );
  });

  it('fails with a message: bad options, an unknown campaign, a token that is not valid', async () => {
    const bad = await run(['grants', 'list', CAMPAIGN, '--status', 'lost', '--from', 'monday'], { env });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'pocket: --from must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00\n' +
        '--status must be one of pending, delivered, failed, dead, void\n',
    ]);
    const unknown = await run(['grants', 'list', 'nope'], { env });
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'pocket: campaign "nope" was never published (campaign_not_found)\n',
    ]);
    const remoteUnknown = await run(['grants', 'list', 'nope', '--server', url, '--token', token], { env });
    expect(remoteUnknown.code).toBe(1);
    expect(remoteUnknown.stderr).toContain('(campaign_not_found)');
    const denied = await run(['grants', 'list', CAMPAIGN, '--server', url, '--token', 'pk_nope_nope'], {
      env,
    });
    expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining('(unauthenticated)')]);
  });
});
