/** `pocket migrate`: brings the ledger (DATABASE_URL, or the embedded SQLite file) to the latest schema. */
import type { Command } from 'commander';
import { loadConfig } from '../src/config';
import { openLedger } from './ledger-session';
import { action, parseFormat, printJson, printLines } from './output';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('run the ledger migrations')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (opts: { format: string }) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const { db, applied } = await openLedger(
          loadConfig(process.env, process.cwd(), { secretsOnUse: true }),
          'apply',
        );
        try {
          if (format === 'json') printJson({ applied });
          else printLines(applied.length > 0 ? applied.map((m) => `applied ${m}`) : ['ledger is up to date']);
        } finally {
          await db.destroy();
        }
      }),
    );
}
