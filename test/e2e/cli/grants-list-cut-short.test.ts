/**
 * `pocket grants list` streams CSV and JSON page by page, so a failure after the first page cannot take back what
 * was written. Finance must never take a cut-short export for a whole one: the exit code is 1, stderr says why,
 * the JSON document is left unterminated (no `]}`: no parser accepts the partial list as the campaign's grants)
 * and the CSV has no more rows. The service (`--server`) fails the second page here, as a ledger outage would.
 */
import { createServer, type Server } from 'node:http';
import type { CampaignGrantView } from '../../../src/participation/campaign-grants-service';
import { pocket } from './run-pocket';

jest.setTimeout(60_000);

const grant = (n: number): CampaignGrantView => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  createdAt: `2026-11-11T00:00:0${n}.000Z`,
  userId: `u-${n}`,
  campaignVersion: 1,
  segmentId: 'everyone',
  rewardId: 'rp',
  type: 'red_packet',
  status: 'delivered',
  amount: 100 * n,
  charge: 100 * n,
  currency: 'CNY',
  businessDate: '2026-11-11',
  test: false,
  deliveredAt: null,
  voidedAt: null,
  issuer: null,
});

describe('grants list cut short by a failure after its first page', () => {
  let server: Server;
  let url: string;
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      const second = new URL(req.url ?? '/', 'http://x').searchParams.has('after');
      res.setHeader('content-type', 'application/json');
      if (second) {
        res.statusCode = 503;
        res.end(
          JSON.stringify({
            error: { code: 'dependency_unavailable', message: 'ledger is unavailable', dependency: 'ledger' },
          }),
        );
        return;
      }
      res.end(JSON.stringify({ campaignId: 'spring', nextCursor: 'page-2', grants: [grant(1), grant(2)] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const list = (format: string) =>
    pocket(['grants', 'list', 'spring', '--server', url, '--token', 't', '--format', format]);

  it('json: exit 1, the reason on stderr, a document no parser accepts as whole', async () => {
    asked.length = 0;
    const run = await list('json');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('pocket: ledger is unavailable (dependency_unavailable)\n');
    expect(asked).toHaveLength(2);
    // The first page as written, then the error object every verb prints under --format json.
    const [partial, error] = run.stdout.split('\n{\n  "error"');
    expect(partial).toBe(
      `{\n  "campaignId": "spring",\n  "grants": [\n    ${JSON.stringify(grant(1))},\n    ${JSON.stringify(grant(2))}`,
    );
    expect(JSON.parse(`{"error"${error ?? ''}`)).toEqual({
      error: { code: 'dependency_unavailable', message: 'ledger is unavailable', dependency: 'ledger' },
    });
    expect(() => JSON.parse(run.stdout) as unknown).toThrow(SyntaxError);
  });

  it('csv: exit 1, the reason on stderr, the first page’s rows and nothing after them', async () => {
    const run = await list('csv');
    expect([run.code, run.stderr]).toEqual([1, 'pocket: ledger is unavailable (dependency_unavailable)\n']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]?.startsWith('id,created_at,')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([grant(1).id, grant(2).id]);
  });

  it('table: exit 1 and no table, since it is printed only once every page is read', async () => {
    const run = await list('table');
    expect([run.code, run.stdout, run.stderr]).toEqual([
      1,
      '',
      'pocket: ledger is unavailable (dependency_unavailable)\n',
    ]);
  });
});
