/**
 * `pocket tokens create --scope <s>[,<s>] [--name N]` prints the new token once (stdout) and its id;
 * `tokens list` shows ids, names, scopes and state (never secrets); `tokens revoke <id>` (text or JSON).
 */
import type { Command } from 'commander';
import { KnexApiTokenStore } from '../src/ledger/knex-api-token-store';
import { parseScopes, TOKEN_SCOPES } from '../src/protection/api-token';
import { TokenService, tokenView } from '../src/protection/token-service';
import { withLedgerDb } from './ledger-session';
import { action, CliFailure, parseFormat, printJson, printLines, table } from './output';

function service(db: Parameters<Parameters<typeof withLedgerDb>[0]>[0]): TokenService {
  return new TokenService({ db, store: new KnexApiTokenStore() });
}

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('admin tokens (publish, read, operate) and gateway client tokens (participate)');

  tokens
    .command('create')
    .description('create a token and print it once (only its hash is kept)')
    .requiredOption('--scope <scopes>', `comma-separated (required): ${TOKEN_SCOPES.join(', ')}`)
    .option('--name <name>', 'who or what the token is for')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (opts: { scope: string; name?: string; format: string }) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        let scopes;
        try {
          scopes = parseScopes(opts.scope);
        } catch (e) {
          throw new CliFailure(`--scope: ${(e as Error).message}`, 2);
        }
        const created = await withLedgerDb(async (db) => {
          try {
            return await service(db).create(scopes, opts.name ?? null);
          } catch (e) {
            if (e instanceof RangeError) throw new CliFailure(e.message, 2);
            throw e;
          }
        });
        if (format === 'json') {
          printJson({ token: created.token, ...tokenView(created.summary) });
          return;
        }
        printLines([created.token]);
        printLines(
          [
            `created token ${created.summary.id} (${created.summary.scopes.join(', ')}): it is shown only this once`,
          ],
          process.stderr,
        );
      }),
    );

  tokens
    .command('list')
    .description('list tokens (ids, names, scopes, state; never secrets)')
    .option('--format <format>', 'table | json', 'table')
    .action(
      action(async (opts: { format: string }) => {
        const format = parseFormat(opts.format, ['table', 'json']);
        const list = await withLedgerDb((db) => service(db).list());
        if (format === 'json') {
          printJson({ tokens: list.map(tokenView) });
          return;
        }
        printLines(
          table(
            ['id', 'name', 'scopes', 'created', 'state'],
            list.map((t) => [
              t.id,
              t.name ?? '',
              t.scopes.join(','),
              t.createdAt.toISOString(),
              t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active',
            ]),
          ),
        );
      }),
    );

  tokens
    .command('revoke <id>')
    .description('revoke a token (every instance refuses it within seconds)')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (id: string, opts: { format: string }) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const revoked = await withLedgerDb((db) => service(db).revoke(id));
        // The code DELETE /admin/tokens/{id} answers with, for a script that does both.
        if (!revoked) throw new CliFailure(`no active token "${id}"`, 1, { code: 'token_not_found' });
        if (format === 'json') printJson(tokenView(revoked));
        else printLines([`revoked ${id}`]);
      }),
    );
}
