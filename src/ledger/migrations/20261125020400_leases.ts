import type { Knex } from 'knex';

/** The scheduler lease when there is no Redis (the embedded SQLite ledger): one holder per name until expiry. */
export const leasesMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('leases')) return;
    await knex.schema.createTable('leases', (t) => {
      t.text('name').primary();
      t.text('holder').notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('leases');
  },
};
