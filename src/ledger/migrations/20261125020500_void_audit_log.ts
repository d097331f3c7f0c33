import type { Knex } from 'knex';

/**
 * `pocket grants void` is audited in audit_log, which the publishing work creates too (20261125010100). The
 * same table, the same columns, created here only when it does not exist yet, so either migration may come
 * first; down() leaves it to its owner.
 */
export const voidAuditLogMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('audit_log')) return;
    await knex.schema.createTable('audit_log', (t) => {
      t.bigIncrements('id').primary();
      t.timestamp('at', { useTz: true }).notNullable();
      t.text('actor').notNullable();
      t.text('action').notNullable();
      t.text('campaign_id').nullable();
      t.text('subject').nullable();
      t.integer('from_version').nullable();
      t.integer('to_version').nullable();
      /** JSON text. */
      t.text('details').nullable();
    });
  },
  async down() {},
};
