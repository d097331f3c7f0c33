/**
 * `pocket blocklist add|remove --user U | --device D | --ip A [--reason R]` and `blocklist list`: every
 * service instance applies a change within about a second.
 */
import type { Command } from 'commander';
import type { BlockKind } from '../src/ledger/blocklist-store';
import { KnexBlocklistStore } from '../src/ledger/knex-blocklist-store';
import { blockValue } from '../src/protection/block-subject';
import { BlocklistService } from '../src/protection/blocklist-service';
import { withLedgerDb } from './ledger-session';
import { action, CliFailure, parseFormat, printJson, printLines, table } from './output';

interface SubjectOptions {
  user?: string;
  device?: string;
  ip?: string;
}

function subject(opts: SubjectOptions): { kind: BlockKind; value: string } {
  const given = (['user', 'device', 'ip'] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1) throw new CliFailure('give exactly one of --user, --device, --ip', 2);
  const kind = given[0] as BlockKind;
  try {
    return { kind, value: blockValue(kind, opts[kind] as string) };
  } catch (e) {
    throw new CliFailure(`--${kind}: ${(e as Error).message}`, 2);
  }
}

function withSubjectOptions(command: Command): Command {
  return command
    .option('--user <userId>', 'a user id')
    .option('--device <deviceId>', 'a device id (context.deviceId)')
    .option('--ip <address>', 'an IPv4 or IPv6 address');
}

async function change<T>(fn: (service: BlocklistService) => Promise<T>): Promise<T> {
  return withLedgerDb(async (db) => {
    try {
      return await fn(new BlocklistService({ db, store: new KnexBlocklistStore() }));
    } catch (e) {
      if (e instanceof RangeError) throw new CliFailure(e.message, 2);
      throw e;
    }
  });
}

export function registerBlocklist(program: Command): void {
  const blocklist = program.command('blocklist').description('blocked users, devices and IPs (403 blocked)');

  withSubjectOptions(blocklist.command('add').description('block a user, device or IP'))
    .option('--reason <text>', 'why (stored with the entry and with each refusal)')
    .action(
      action(async (opts: SubjectOptions & { reason?: string }) => {
        const { kind, value } = subject(opts);
        const added = await change((s) => s.add(kind, value, opts.reason ?? null));
        printLines([`${added ? 'blocked' : 'updated'} ${kind} ${value}`]);
      }),
    );

  withSubjectOptions(blocklist.command('remove').description('unblock a user, device or IP')).action(
    action(async (opts: SubjectOptions) => {
      const { kind, value } = subject(opts);
      if (!(await change((s) => s.remove(kind, value)))) {
        throw new CliFailure(`${kind} ${value} is not blocked`);
      }
      printLines([`unblocked ${kind} ${value}`]);
    }),
  );

  blocklist
    .command('list')
    .description('list blocked users, devices and IPs')
    .option('--format <format>', 'table | json', 'table')
    .action(
      action(async (opts: { format: string }) => {
        const format = parseFormat(opts.format, ['table', 'json']);
        const entries = await change((s) => s.list());
        if (format === 'json') {
          printJson({
            entries: entries.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
          });
          return;
        }
        printLines(
          table(
            ['kind', 'value', 'since', 'reason'],
            entries.map((e) => [e.kind, e.value, e.createdAt.toISOString(), e.reason ?? '']),
          ),
        );
      }),
    );
}
