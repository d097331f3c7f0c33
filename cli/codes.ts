/**
 * `pocket codes issue <campaign> [--user U] [--ttl 24h] [--count N]`: prints signed activity codes, one per
 * line (stdout), signed with ACTIVITY_CODE_SECRET (or the generated development secret under ./data).
 */
import type { Command } from 'commander';
import { loadConfig } from '../src/config';
import { newNonce, signActivityCode } from '../src/protection/activity-code';
import { parseTtlSeconds } from '../src/protection/code-ttl';
import { USER_ID, USER_ID_RULE } from '../src/shared/user-id';
import { campaignArgument } from './campaign-argument';
import { action, CliFailure, count as plural, printLines } from './output';
import { integerOption } from './integer-option';

const MAX_COUNT = 100_000;

interface IssueOptions {
  user?: string;
  ttl: string;
  count: string;
}

export function registerCodes(program: Command): void {
  const codes = program.command('codes').description('signed, single-use activity codes');
  codes
    .command('issue <campaign>')
    .description('print activity codes for a campaign whose entry.activityCode is signed, one per line')
    .option('--user <userId>', 'bind each code to this user')
    .option('--ttl <duration>', 'how long the codes stay valid: 90s, 30m, 24h, 7d', '24h')
    .option('--count <n>', `how many codes (1-${MAX_COUNT})`, '1')
    .action(
      action(async (campaignArg: string, opts: IssueOptions) => {
        // Checked here, naming the argument or option and what it takes: the signer's own check said only
        // `invalid user id "a/b"`, which named neither.
        const campaignId = campaignArgument(campaignArg);
        if (opts.user !== undefined && !USER_ID.test(opts.user)) {
          throw new CliFailure(`--user: a user id is ${USER_ID_RULE} (got ${JSON.stringify(opts.user)})`, 2);
        }
        let ttl: number;
        try {
          ttl = parseTtlSeconds(opts.ttl);
        } catch (e) {
          throw new CliFailure(`--ttl: ${(e as Error).message}`, 2);
        }
        const count = integerOption(opts.count, '--count', 1, MAX_COUNT);
        const secret = loadConfig(process.env, process.cwd(), { secretsOnUse: true }).secrets.activityCode;
        const expiresAt = Math.floor(Date.now() / 1000) + ttl;
        const lines: string[] = [];
        try {
          for (let i = 0; i < count; i++) {
            lines.push(
              signActivityCode(secret, {
                campaignId,
                userId: opts.user ?? null,
                expiresAt,
                nonce: newNonce(),
              }),
            );
          }
        } catch (e) {
          if (e instanceof RangeError) throw new CliFailure(e.message, 2);
          throw e;
        }
        printLines(lines);
        printLines(
          [
            `issued ${plural(count, 'code')} for ${campaignId}, valid until ${new Date(expiresAt * 1000).toISOString()}`,
          ],
          process.stderr,
        );
        return Promise.resolve();
      }),
    );
}
