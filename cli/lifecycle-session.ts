/**
 * Where lifecycle verbs act: the ledger of this environment (DATABASE_URL, else the embedded SQLite file;
 * with REDIS_URL, running services are told at once over pub/sub), or a running service with
 * `--server URL --token T` (also POCKET_SERVER / POCKET_TOKEN, which keep the token out of shell history).
 */
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import { AppError, type FieldError } from '../src/errors/app-error';
import { dependencyOf } from '../src/errors/dependency-failure';
import { connectRedis } from '../src/hot-state/redis-client';
import { KnexAuditStore } from '../src/ledger/knex-audit-store';
import { KnexCampaignVersionStore } from '../src/ledger/knex-campaign-version-store';
import { KnexGrantStore } from '../src/ledger/knex-grant-store';
import type { CampaignRefusal } from '../src/publishing/activation-refused-error';
import {
  DEFAULT_CHANGES_CHANNEL,
  silentNotifier,
  type ChangeNotifier,
} from '../src/publishing/change-notifier';
import { LedgerLifecycle } from '../src/publishing/ledger-lifecycle';
import type { Lifecycle } from '../src/publishing/lifecycle';
import { RedisChangeNotifier } from '../src/publishing/redis-change-notifier';
import { AdminClient } from './admin-client';
import { sqliteBusy } from '../src/ledger/sqlite-write-lock';
import { CliFailure, ledgerUnavailable, printLines } from './output';
import { openLedger, withVerbDeadline } from './ledger-session';
import { detectAuthor } from './publish-metadata';

export interface TargetOptions {
  server?: string;
  token?: string;
}

/** Adds `--server` and `--token` to a lifecycle verb. */
export function withTargetOptions(command: Command): Command {
  return command
    .option('--server <url>', 'act through a running service’s /admin endpoints (default: POCKET_SERVER)')
    .option('--token <token>', 'admin token for --server (default: POCKET_TOKEN)');
}

/**
 * Tells running services of a change over Redis pub/sub, connecting on the first change only: a verb that only
 * reads (`versions`, `audit`, `diff`) neither waits for an unreachable Redis nor warns about a change it never made.
 */
function lazyRedisNotifier(url: string): { notifier: ChangeNotifier; close: () => void } {
  let redis: Promise<Redis | null> | null = null;
  const connect = (): Promise<Redis | null> =>
    (redis ??= connectRedis(url).catch(() => {
      printLines(
        ['warning: Redis is unreachable: running services pick the change up by polling (about 1 s)'],
        process.stderr,
      );
      return null;
    }));
  return {
    notifier: {
      async notify(notice) {
        const client = await connect();
        if (client) await new RedisChangeNotifier(client, DEFAULT_CHANGES_CHANNEL).notify(notice);
      },
    },
    close: () => void redis?.then((client) => client?.disconnect()),
  };
}

async function ledgerLifecycle(root: string): Promise<Lifecycle> {
  const config = loadConfig(process.env, process.cwd(), { secretsOnUse: true });
  const { db } = await openLedger(config);
  const redis = config.redisUrl ? lazyRedisNotifier(config.redisUrl) : null;
  return new LedgerLifecycle(
    {
      db: withVerbDeadline(db),
      versions: new KnexCampaignVersionStore(),
      grants: new KnexGrantStore(),
      audit: new KnexAuditStore(),
      notifier: redis?.notifier ?? silentNotifier,
      clock: () => new Date(),
      close: async () => {
        redis?.close();
        await db.destroy();
      },
    },
    detectAuthor(root),
  );
}

/** The running service to act through (`--server`/`POCKET_SERVER` with its token), or null for the ledger. */
export function target(opts: TargetOptions): { server: string; token: string } | null {
  const server = opts.server ?? process.env['POCKET_SERVER'];
  if (server === undefined || server === '') {
    // The token was ignored and the verb acted on the local ledger: a pause meant for production paused nothing.
    if (opts.token !== undefined) {
      throw new CliFailure(
        '--token is for --server: give --server <url> (or POCKET_SERVER) too, or leave --token out to act on ' +
          'the ledger of this environment',
        2,
      );
    }
    // The environment's token may be set for other steps; a misspelled POCKET_SERVER is said, not an error.
    if (process.env['POCKET_TOKEN']) {
      printLines(
        ['warning: POCKET_TOKEN is set but POCKET_SERVER is not: acting on the ledger of this environment'],
        process.stderr,
      );
    }
    return null;
  }
  // A user or password in the URL: fetch refuses it, and its message (printed as "cannot reach …") held the
  // password, twice, for the CI log. The token is the credential; the URL is echoed with its password hidden.
  const shown = server.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^/?#]*@/i, '$1***@');
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(server)) {
    throw new CliFailure(
      `--server must not hold a user or password (${shown}): pocket authenticates with --token or POCKET_TOKEN`,
      2,
    );
  }
  // Parsed as fetch will parse it: "http://a b" or a port out of range is a usage error, not "cannot reach".
  if (!/^https?:\/\/[^/]+/.test(server) || !URL.canParse(server)) {
    throw new CliFailure(`--server must be an http(s) URL such as http://pocket:3000 (got "${shown}")`, 2);
  }
  const token = opts.token ?? process.env['POCKET_TOKEN'];
  if (token === undefined || token === '') {
    throw new CliFailure('--server needs an admin token: --token <token> or POCKET_TOKEN', 2);
  }
  return { server, token };
}

function detailLines(error: AppError): string[] {
  const refusals = error.details['refusals'] as CampaignRefusal[] | undefined;
  const fields = error.details['fields'] as FieldError[] | undefined;
  const lines: string[] = [];
  for (const r of refusals ?? []) {
    lines.push(`  ${r.campaignId}: ${r.message}${r.forceable ? ' (--force accepts this)' : ''}`);
  }
  for (const f of fields ?? []) lines.push(`  ${f.path}: ${f.message}`);
  return lines;
}

/** A refused or failed lifecycle call: the reasons on stderr, and the error object on stdout for --format json. */
function failure(error: AppError): CliFailure {
  const lines = detailLines(error);
  const refused = error.code === 'activation_refused';
  const message = refused ? 'refused; nothing was written:' : `${error.message} (${error.code})`;
  return new CliFailure([message, ...lines].join('\n'), 1, {
    code: error.code,
    message: error.message,
    details: error.details,
  });
}

export async function withLifecycle<T>(
  opts: TargetOptions,
  root: string,
  fn: (lifecycle: Lifecycle) => Promise<T>,
): Promise<T> {
  const remote = target(opts);
  const lifecycle = remote ? new AdminClient(remote.server, remote.token) : await ledgerLifecycle(root);
  try {
    return await fn(lifecycle);
  } catch (error) {
    if (error instanceof AppError) throw failure(error);
    // A SQLite file another program holds locked is named as such (describeFailure), not as a silent ledger.
    if (!remote && !sqliteBusy(error) && dependencyOf(error) === 'ledger') throw ledgerSilent(error);
    throw error;
  } finally {
    await lifecycle.close();
  }
}

/**
 * The ledger stopped answering (LEDGER_CHANGE_DEADLINE_MS) or went away during a verb: each change is one
 * transaction, so it was made in full or not at all, and running the verb again is safe.
 */
function ledgerSilent(error: unknown): CliFailure {
  return ledgerUnavailable(
    error,
    'nothing was changed, unless the ledger took the change just before it went silent: run the command again ' +
      'once it answers (a change already made answers unchanged)',
  );
}
