import type { Knex } from 'knex';

/**
 * Requests answered per minute by each service instance: what the worker's error-spike alert reads (the
 * instances may be many processes; the ledger is what they share). Rows older than a day are pruned.
 */
export const requestStatsMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('request_stats')) return;
    await knex.schema.createTable('request_stats', (t) => {
      t.timestamp('minute', { useTz: true }).notNullable();
      t.text('instance').notNullable();
      t.bigInteger('total').notNullable();
      /** 5xx other than 503. */
      t.bigInteger('errors').notNullable();
      t.bigInteger('unavailable').notNullable();
      t.primary(['minute', 'instance']);
      t.check('total >= 0 AND errors >= 0 AND unavailable >= 0', [], 'request_stats_counts_check');
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('request_stats');
  },
};
