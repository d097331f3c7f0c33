import type { Knex } from 'knex';

/**
 * Who changed what, when, from which version to which: every publish, rollback, pause and resume (and grant
 * voids) is appended in the transaction of the change itself. Append-only; `id` orders the log.
 * Created with a hasTable guard: other migrations may create the same table idempotently.
 */
export const auditLogMigration: Knex.Migration = {
  async up(knex) {
    if (!(await knex.schema.hasTable('audit_log'))) {
      await knex.schema.createTable('audit_log', (t) => {
        t.bigIncrements('id').primary();
        t.timestamp('at', { useTz: true }).notNullable();
        t.text('actor').notNullable();
        /** publish | rollback | pause | resume | … */
        t.text('action').notNullable();
        t.text('campaign_id').nullable();
        /** What the action is about, when it is not the campaign itself (e.g. a grant id). */
        t.text('subject').nullable();
        t.integer('from_version').nullable();
        t.integer('to_version').nullable();
        /** JSON text. */
        t.text('details').nullable();
      });
    }
    await knex.raw('CREATE INDEX IF NOT EXISTS audit_log_campaign_idx ON audit_log (campaign_id, id)');
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('audit_log');
  },
};
