import type { Knex } from 'knex';

/**
 * Blocked users, devices and IPs. `protection_revisions` holds one counter per list, bumped in the same
 * transaction as every change, so each service instance notices a change with one tiny read a second and
 * reloads the list only then.
 */
export const blocklistMigration: Knex.Migration = {
  async up(knex) {
    if (!(await knex.schema.hasTable('blocklist'))) {
      await knex.schema.createTable('blocklist', (t) => {
        t.text('kind').notNullable();
        t.text('value').notNullable();
        t.text('reason').nullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.primary(['kind', 'value']);
        t.check("kind IN ('user', 'device', 'ip')", [], 'blocklist_kind_check');
      });
    }
    if (!(await knex.schema.hasTable('protection_revisions'))) {
      await knex.schema.createTable('protection_revisions', (t) => {
        t.text('name').primary();
        t.bigInteger('revision').notNullable();
      });
    }
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('protection_revisions');
    await knex.schema.dropTableIfExists('blocklist');
  },
};
