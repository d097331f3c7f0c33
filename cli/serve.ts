/** `pocket serve`: the HTTP service (embedded default with no environment; PostgreSQL + Redis when set). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../src/config';
import type { CampaignSnapshot } from '../src/publishing/campaign-snapshot';
import { checkLive } from '../src/decision/liveness';
import type { Logger } from '../src/observability/logger';
import { logSecretNotices } from './secret-rotation';
import { startPocket } from '../src/server';
import { checkBackends, redactUrl } from './check-backends';
import { action, CliFailure } from './output';
import { shutdownSignal } from './shutdown-signal';

/**
 * A ready-to-paste request that gets a grant for a tester of a campaign that is open now (or about to be).
 * With client auth required (NODE_ENV=production) an anonymous call gets 401: the curl then carries the
 * header, with a placeholder for a client token.
 */
function demoCurl(
  url: string,
  snapshots: readonly CampaignSnapshot[],
  now: Date,
  requireClientAuth = false,
): string | null {
  const candidates = snapshots.filter(
    (s) =>
      s.definition.entry.activityCode === 'none' &&
      s.testers.size > 0 &&
      ['live', 'not_started'].includes(checkLive(s.definition, now, s.paused)),
  );
  const pick = candidates.find((s) => checkLive(s.definition, now, s.paused) === 'live') ?? candidates[0];
  if (!pick) return null;
  const [userId] = [...pick.testers.keys()];
  const channel = pick.definition.entry.channels?.[0];
  const body = JSON.stringify({ userId, ...(channel ? { context: { channel } } : {}) });
  return [
    `curl -s -X POST ${url}/v1/campaigns/${pick.campaignId}/participations \\`,
    `  -H 'Content-Type: application/json' -H "Idempotency-Key: demo-$(date +%s%N)" \\`,
    ...(requireClientAuth
      ? [`  -H 'Authorization: Bearer <client token from pocket tokens create --scope participate>' \\`]
      : []),
    `  -d '${body}'`,
  ].join('\n');
}

/** The "Try it" block printed at boot (stderr), or null without a campaign to try. */
export function tryIt(
  url: string,
  snapshots: readonly CampaignSnapshot[],
  now: Date,
  requireClientAuth: boolean,
): string | null {
  const curl = demoCurl(url, snapshots, now, requireClientAuth);
  if (!curl) return null;
  return (
    `\nTry it (a tester of a live campaign; the campaign's per-user limits apply to testers too, ` +
    `so a second run may answer limit_reached):\n\n${curl}\n\n`
  );
}

/** Where participations take user profiles from; the file is read once, at boot. */
function profilesLine(config: Config): string {
  if (config.profileUrl) return `profiles: PROFILE_URL ${redactUrl(config.profileUrl)}`;
  const file = config.profilesFile;
  if (!existsSync(file)) return `profiles: no file at ${file}: non-testers have empty profiles`;
  try {
    const users = new Set<unknown>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() !== '') users.add((JSON.parse(line) as { userId?: unknown }).userId);
    }
    return `profiles: ${users.size} loaded from ${file} (read once, at boot)`;
  } catch {
    return `profiles: loaded from ${file} (read once, at boot)`;
  }
}

/**
 * In production, which of USER_TOKEN_AUDIENCE/USER_TOKEN_ISSUER is unset: a token another app's identity service
 * signed with the same secret is then accepted. Null when both are set, or outside production.
 */
function userTokenClaimsWarning(config: Config): string | null {
  if (!config.requireClientAuth) return null;
  const unset = [
    ...(config.userTokenClaims.audience.length === 0 ? [['USER_TOKEN_AUDIENCE', 'aud']] : []),
    ...(config.userTokenClaims.issuer.length === 0 ? [['USER_TOKEN_ISSUER', 'iss']] : []),
  ];
  if (unset.length === 0) return null;
  const names = unset.map(([name]) => name).join(' and ');
  const claims = unset.map(([, claim]) => claim).join(' and ');
  return (
    `user tokens: ${names} ${unset.length > 1 ? 'are' : 'is'} not set: any HS256 token signed with ` +
    `USER_TOKEN_SECRET is accepted whatever its ${claims}, one minted for another app by an identity service ` +
    'that shares the secret included'
  );
}

/**
 * The boot banner. Warnings (anonymous calls accepted, risk checks skipped, no worker, user tokens of any
 * audience or issuer) are logged at warn, so they still show with LOG_LEVEL=warn: DESIGN.md asks for a loud
 * warning, not an info line.
 */
export function logBanner(logger: Pick<Logger, 'info' | 'warn'>, config: Config): void {
  logger.info(`ledger: ${config.databaseUrl ? 'PostgreSQL' : `SQLite ${config.sqliteFile} (embedded)`}`);
  logger.info(`hot state: ${config.redisUrl ? 'Redis' : 'in-memory (embedded, one process only)'}`);
  logger.info(profilesLine(config));
  if (!config.runWorker) {
    logger.warn(
      'no delivery worker in this process: run `pocket worker` (or POCKET_WORKER=true), ' +
        'else grants stay pending and are never delivered',
    );
  }
  if (!config.requireClientAuth) {
    logger.warn(
      'WARNING: client auth is not required (NODE_ENV is not production): anonymous participations are accepted',
    );
  }
  if (!config.riskUrl) {
    if (config.requireClientAuth) {
      logger.warn(
        'risk: RISK_URL is not set: campaigns with a risk policy get their risk.onError answer (deny: 503)',
      );
    } else {
      logger.warn(
        'WARNING: RISK_URL is not set: the risk checks of campaigns with a risk policy are skipped',
      );
    }
  }
  const claimsWarning = userTokenClaimsWarning(config);
  if (claimsWarning) logger.warn(claimsWarning);
  logSecretNotices(logger, config);
  if (config.secretsGenerated) {
    const file = `${config.dataDir}/secrets.json`;
    logger.info(
      config.secretsCreated
        ? `secrets: generated now and kept in ${file}`
        : `secrets: using the generated ones kept in ${file}`,
    );
  }
}

/**
 * In production a profile source is required: PROFILE_URL, or a profiles file that exists. Without either every
 * user but the testers had an empty profile, said by one info line at boot: segment rules answered `not_eligible`
 * and account-age checks `velocity`, both stored as the key's final answer (an activity code spent with them).
 */
export function profileSourceMissing(config: Config): CliFailure | null {
  if (config.env !== 'production' || config.profileUrl) return null;
  if (statSync(config.profilesFile, { throwIfNoEntry: false })?.isFile()) return null;
  return new CliFailure(
    'invalid configuration: NODE_ENV=production needs a profile source: set PROFILE_URL (the profile service) ' +
      `or PROFILES_FILE to a profiles file (there is none at ${config.profilesFile}); without one every user but ` +
      'the testers has an empty profile, which segment rules and account-age checks refuse',
  );
}

/**
 * `pocket --root <dir> serve` publishes that repository on start, as every other verb reads it; the service read
 * POCKET_DEFINITIONS (or the working directory) alone, so a broken repository named by `--root` started the
 * service on the working directory's definitions.
 */
function withRoot(config: Config, command: Command): Config {
  const { root } = command.optsWithGlobals<{ root?: string }>();
  if (root === undefined) return config;
  return { ...config, definitionsRoot: resolve(root), definitionsSetting: '--root' };
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP service (and, in the embedded mode, the worker)')
    .action(
      action(
        async (_options: unknown, command: Command) => {
          const config = withRoot(loadConfig(), command);
          const noProfiles = profileSourceMissing(config);
          if (noProfiles) throw noProfiles;
          await checkBackends(config);
          const running = await startPocket(config);
          const { logger } = running.pocket;
          logBanner(logger, config);
          logger.info(
            `dashboard: ${running.url}/dashboard (with an admin token of scope read: pocket tokens create --scope read)`,
          );
          const everywhere = config.host === null || ['0.0.0.0', '::'].includes(config.host);
          logger.info(
            `pocket listening on ${running.url}${everywhere ? ' (and every other interface)' : ''}`,
          );
          const text = tryIt(
            running.url,
            running.pocket.registry.list(),
            new Date(),
            config.requireClientAuth,
          );
          if (text) process.stderr.write(text);
          await shutdownSignal(logger, 'shutting down: draining in-flight requests');
          await running.shutdown().catch(() => undefined);
          // Drained and closed, or given up on: whatever is still open (a connection stuck on a silent ledger, a
          // call to a slow profile service for a request cut at the grace period) must not keep the process up.
          process.exit(process.exitCode ?? 0);
        },
        // A boot that failed halfway (a backend down, the port taken) may leave timers and pools open.
        { exitOnFailure: true },
      ),
    );
}
