import type { Knex } from 'knex';

/** Deliveries waiting for the relay; written in the grant's transaction. */
export const outboxMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('outbox')) return;
    await knex.schema.createTable('outbox', (t) => {
      t.text('id').primary();
      t.text('grant_id').notNullable().unique({ indexName: 'outbox_grant_unique' });
      t.text('kind').notNullable();
      /** JSON. */
      t.text('payload').notNullable();
      t.text('status').notNullable().defaultTo('pending');
      t.integer('attempts').notNullable().defaultTo(0);
      t.timestamp('next_attempt_at', { useTz: true }).notNullable();
      t.timestamp('locked_until', { useTz: true }).nullable();
      t.text('locked_by').nullable();
      t.text('last_error').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
      t.foreign('grant_id', 'outbox_grant_fk').references('id').inTable('grants');
      t.check("status IN ('pending', 'done', 'dead')", [], 'outbox_status_check');
      t.check('attempts >= 0', [], 'outbox_attempts_check');
      t.index(['status', 'next_attempt_at'], 'outbox_status_next_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('outbox');
  },
};
