import type { Knex } from 'knex';

/** Published campaign versions (immutable, numbered) and the runtime pause overlay. */
export const campaignVersionsMigration: Knex.Migration = {
  async up(knex) {
    if (!(await knex.schema.hasTable('campaign_versions'))) {
      await knex.schema.createTable('campaign_versions', (t) => {
        t.text('campaign_id').notNullable();
        t.integer('version').notNullable();
        t.text('fingerprint').notNullable();
        /** Canonical JSON of the resolved definition, byte for byte what was fingerprinted. */
        t.text('body').notNullable();
        t.boolean('active').notNullable().defaultTo(false);
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.text('author').nullable();
        t.text('git_commit').nullable();
        t.text('note').nullable();
        t.primary(['campaign_id', 'version']);
        t.check('version >= 1', [], 'campaign_versions_version_check');
      });
    }
    // One active version per campaign (partial unique index; both engines support WHERE on an index).
    await knex.raw(
      'CREATE UNIQUE INDEX IF NOT EXISTS campaign_versions_one_active ON campaign_versions (campaign_id) WHERE active',
    );
    if (!(await knex.schema.hasTable('campaign_state'))) {
      await knex.schema.createTable('campaign_state', (t) => {
        t.text('campaign_id').primary();
        t.boolean('paused').notNullable().defaultTo(false);
        t.timestamp('paused_at', { useTz: true }).nullable();
        t.text('paused_by').nullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
      });
    }
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('campaign_state');
    await knex.schema.dropTableIfExists('campaign_versions');
  },
};
