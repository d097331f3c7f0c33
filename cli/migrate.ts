/** `pocket migrate`: brings the ledger (DATABASE_URL, or the embedded SQLite file) to the latest schema. */
import type { Command } from 'commander';
import { loadConfig } from '../src/config';
import { createDb } from '../src/ledger/db';
import { migrate } from '../src/ledger/migrate';
import { action, printJson, printLines } from './output';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('run the ledger migrations')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (opts: { format: string }) => {
        const config = loadConfig();
        const db = createDb(
          config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqliteFile: config.sqliteFile },
        );
        try {
          const applied = await migrate(db);
          if (opts.format === 'json') printJson({ applied });
          else printLines(applied.length > 0 ? applied.map((m) => `applied ${m}`) : ['ledger is up to date']);
        } finally {
          await db.destroy();
        }
      }),
    );
}
