/**
 * The new-user walkthrough as processes against the embedded SQLite ledger: a delivered grant is voided with
 * --force, `reconcile` reports it as voided_but_issued (the sandbox cannot revoke) and exits 1; finance resolves
 * it with `discrepancies resolve --note` (audited), after which `reconcile` exits 0 and counts it acknowledged.
 * resolve exits 2 without a note and 1 for an unknown or already resolved discrepancy.
 */
import type { Discrepancy } from '../../../src/reconciliation/discrepancy-store';
import { AT, TINY } from '../../helpers/delivery';
import { useEmbeddedGrants } from './embedded-grants';
import { json } from './run-pocket';

const SINCE = new Date(AT.getTime() - 3_600_000).toISOString();

describe('pocket discrepancies list and resolve against the embedded ledger', () => {
  const embedded = useEmbeddedGrants({
    dirPrefix: 'pocket-cli-discrepancies-',
    author: 'finance-bob',
    userPrefix: 'fin',
    count: 2,
  });
  const { run, withDb } = embedded;
  let ids: string[];

  beforeAll(async () => {
    ids = embedded.ids;
    expect((await run('worker', '--once')).code).toBe(0);
  });

  it('void a delivered grant, reconcile flags it, resolve it with a note, reconcile is clean', async () => {
    const [id] = ids;
    if (!id) throw new Error('no grant');
    const voided = await run('grants', 'void', id, '--reason', 'duplicate account', '--force');
    expect(voided.code).toBe(0);
    expect(voided.stdout).toMatch(/reconcile reports voided_but_issued/);
    // Money in major units of the grant's currency, as every text output shows it (the JSON keeps minor units).
    // What the budget gets back is the charge; a red packet's face value is the same, so it is not repeated.
    const { charge } = await withDb((db) => db('grants').where({ id }).first('charge'));
    expect(voided.stdout).toContain(`${TINY}, user `);
    expect(voided.stdout).toContain(') — was delivered\n');
    expect(voided.stdout).toContain(`budget gets back ${(Number(charge) / 100).toFixed(2)} CNY\n`);

    const dirty = await run('reconcile', '--since', SINCE, '--grace', '0');
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toMatch(/voided_but_issued\s+1/);
    expect(dirty.stdout).toMatch(/1 unresolved/);
    expect(dirty.stdout).not.toMatch(/issued_after_void/);

    const listed = await run('discrepancies', 'list', '--open', '--format', 'json');
    expect(listed.code).toBe(0);
    const { discrepancies } = json<{ discrepancies: Discrepancy[] }>(listed);
    expect(discrepancies.map((d) => [d.kind, d.grantId, d.status])).toEqual([
      ['voided_but_issued', id, 'open'],
    ]);
    const discrepancyId = discrepancies[0]?.id ?? '';
    const table = await run('discrepancies', 'list', '--open');
    expect(table.stdout).toMatch(
      new RegExp(`${discrepancyId}\\s+\\S+\\s+voided_but_issued\\s+${TINY}\\s+${id}\\s+1\\.00 CNY\\s+open`),
    );

    const noNote = await run('discrepancies', 'resolve', discrepancyId);
    expect(noNote.code).toBe(2);
    expect(noNote.stderr).toMatch(/--note is required/);
    const unknown = await run('discrepancies', 'resolve', 'no-such-id', '--note', 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/discrepancy no-such-id does not exist/);

    const resolved = await run('discrepancies', 'resolve', discrepancyId, '--note', 'loss accepted, FIN-7');
    expect(resolved.stderr).toBe('');
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toMatch(/resolved discrepancy .* \(voided_but_issued, grant /);
    const again = await run('discrepancies', 'resolve', discrepancyId, '--note', 'again');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already resolved/);
    const audit = await withDb((db) =>
      db('audit_log').where({ action: 'discrepancy.resolve', subject: discrepancyId }).select(),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'finance-bob', campaign_id: TINY });
    expect(JSON.parse(String(audit[0]?.details))).toMatchObject({
      note: 'loss accepted, FIN-7',
      grantId: id,
    });

    // The audit table says why, as the JSON's details do: the void's reason and --force, the resolution's note.
    const log = (await run('audit', TINY)).stdout;
    expect(log).toMatch(new RegExp(`grant\\.void .*reason: duplicate account; forced; subject ${id}\n`));
    expect(log).toMatch(
      new RegExp(`discrepancy\\.resolve .*note: loss accepted, FIN-7; subject ${discrepancyId}\n`),
    );

    const clean = await run('reconcile', '--since', SINCE, '--grace', '0', '--format', 'json');
    expect(clean.code).toBe(0);
    expect(json(clean)).toMatchObject({ found: { voided_but_issued: 1 }, unresolved: 0, acknowledged: 1 });
    const text = await run('reconcile', '--since', SINCE, '--grace', '0');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/all resolved\n1 acknowledged earlier/);
    expect((await run('discrepancies', 'list', '--open')).stdout).toBe('no open discrepancies\n');
    const all = await run('discrepancies', 'list');
    expect(all.stdout).toMatch(/resolved\s+\S+ by finance-bob: loss accepted, FIN-7/);
  });

  it('refuses a --campaign never published to this ledger instead of listing nothing', async () => {
    const typo = await run('discrepancies', 'list', '--campaign', 'tiny-dorp', '--format', 'json');
    expect(typo.code).toBe(2);
    expect(json(typo)).toEqual({
      error: {
        code: 'campaign_not_found',
        message: '--campaign: campaign "tiny-dorp" was never published (did you mean "tiny-drop"?)',
        campaign: 'tiny-dorp',
      },
    });
    const notAnId = await run('discrepancies', 'list', '--campaign', 'Tiny-Drop');
    expect(notAnId.code).toBe(2);
    expect(notAnId.stdout).toBe('');
    expect(notAnId.stderr).toMatch(/^pocket: --campaign: "Tiny-Drop" is not a campaign id: .*"tiny-drop"/);
    const known = await run('discrepancies', 'list', '--campaign', TINY, '--format', 'json');
    expect(known.code).toBe(0);
    expect(json<{ discrepancies: Discrepancy[] }>(known).discrepancies.length).toBeGreaterThan(0);
  });
});
