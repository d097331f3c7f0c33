/**
 * `pocket report` as a real process: from the embedded ledger of the environment (POCKET_DATA_DIR) and from a
 * running service (--server/--token), in table, json and csv; bad options and unknown campaigns fail.
 */
import type { CampaignReport } from '../../../src/observability/report/campaign-report';
import { CAMPAIGN } from '../../integration/observability/observability-fixtures';
import { json, pocket as run } from './run-pocket';
import { servedReportLedger, type ServedReportLedger } from './served-report-ledger';

describe('pocket report', () => {
  let served: ServedReportLedger;
  let env: ServedReportLedger['env'];
  let url: string;
  let token: string;

  beforeAll(async () => {
    served = await servedReportLedger('pocket-report-cli-', 'report-cli');
    ({ env, url, token } = served);
  });
  afterAll(() => served?.close());

  it('prints the same report from the ledger and from the service, as json', async () => {
    const local = await run(['report', CAMPAIGN, '--format', 'json'], { env });
    const remote = await run(['report', CAMPAIGN, '--format', 'json', '--server', url, '--token', token], {
      env,
    });
    expect([local.code, local.stderr, remote.code, remote.stderr]).toEqual([0, '', 0, '']);
    const a = json<CampaignReport>(local);
    const b = json<CampaignReport>(remote);
    expect(a.funnel).toEqual({ participations: 12, eligible: 10, granted: 7, delivered: 0 });
    // The service runs on the test's clock, the CLI on the real one: the time-dependent parts differ.
    const timeless = (r: CampaignReport): unknown => ({
      ...r,
      generatedAt: null,
      delivery: null,
      budget: { ...r.budget, today: null },
    });
    expect(timeless(a)).toEqual(timeless(b));
    expect(a.budget.total).toEqual({
      plan: 10000,
      used: 500,
      remaining: 9500,
      overspent: 0,
      usedRatio: 0.05,
    });
  });

  it('prints tables and csv, and honours --from/--to', async () => {
    const table = await run(['report', CAMPAIGN], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/participations\s+12\s+100\.0%/);
    expect(table.stdout).toMatch(/rp-vip\s+red_packet\s+3\s+3\.00\s+3\.00/);
    // The timeline, which the table left out: a line per minute on the campaign's clock (Asia/Shanghai).
    expect(table.stdout).toMatch(
      /\ntimeline \(1 min points\)\s+participations\s+grants\s+spend CNY\n[- ]+\n2026-11-11T10:00:00\+08:00\s+5\s+4\s+3\.00\n/,
    );
    expect(table.stdout).toMatch(/\n2026-11-11T10:10:00\+08:00\s+7\s+3\s+2\.00\n$/);
    const csv = await run(['report', CAMPAIGN, '--format', 'csv', '--from', '2026-11-11T10:05:00+08:00'], {
      env,
    });
    expect(csv.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'section,key,metric,value',
        'funnel,,participations,7',
        // Every number of the JSON report, the dead-letter count included.
        'delivery,,dead,0',
        // Keyed by the local minute, not 2026-11-11T02:05:00.000Z; no business date under a day.
        'timeline,2026-11-11T10:05:00+08:00,participations,0',
        'timeline,2026-11-11T10:10:00+08:00,participations,7',
        'timeline,2026-11-11T10:10:00+08:00,grants,3',
        'timeline,2026-11-11T10:10:00+08:00,spend,200',
      ]),
    );
    expect(csv.stdout).not.toMatch(/^timeline,[^,]*(Z,|,business_date,)/m);
  });

  it('fails with a message: bad times, a bad format, an unknown campaign, a token without read', async () => {
    const badTime = await run(['report', CAMPAIGN, '--from', 'tuesday'], { env });
    // A date alone, or a time without an offset, would be read in this machine's zone: refused, both at once.
    const noOffset = await run(['report', CAMPAIGN, '--from', '2026-11-11', '--to', '2026-11-12T00:00'], {
      env,
    });
    const reversed = await run(
      ['report', CAMPAIGN, '--from', '2026-11-12T00:00:00+08:00', '--to', '2026-11-11T00:00:00+08:00'],
      { env },
    );
    const badFormat = await run(['report', CAMPAIGN, '--format', 'xml'], { env });
    const unknown = await run(['report', 'nope'], { env });
    const denied = await run(['report', CAMPAIGN, '--server', url, '--token', 'pk_nope_nope'], { env });
    expect([badTime.code, badTime.stderr]).toEqual([
      2,
      'pocket: --from must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00\n',
    ]);
    expect([noOffset.code, noOffset.stderr]).toEqual([
      2,
      'pocket: --from must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00\n' +
        '--to must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00\n',
    ]);
    expect([reversed.code, reversed.stderr]).toEqual([2, 'pocket: --from must be before --to\n']);
    expect(badFormat.code).toBe(2);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'pocket: campaign "nope" was never published (campaign_not_found)\n',
    ]);
    expect([denied.code, denied.stderr]).toEqual([1, expect.stringContaining('(unauthenticated)')]);
  });
});
