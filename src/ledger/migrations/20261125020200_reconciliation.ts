import type { Knex } from 'knex';

/**
 * Reconciliation runs and every difference they (or the relay) find. A discrepancy about a grant is open at
 * most once per kind: the partial unique index keeps repeated runs from recording the same one again.
 */
export const reconciliationMigration: Knex.Migration = {
  async up(knex) {
    if (!(await knex.schema.hasTable('reconcile_runs'))) {
      await knex.schema.createTable('reconcile_runs', (t) => {
        t.text('id').primary();
        /** realtime | offline */
        t.text('kind').notNullable();
        t.text('status').notNullable();
        t.text('campaign_id').nullable();
        t.timestamp('window_since', { useTz: true }).nullable();
        t.timestamp('window_until', { useTz: true }).nullable();
        t.timestamp('started_at', { useTz: true }).notNullable();
        t.timestamp('finished_at', { useTz: true }).nullable();
        /** JSON. */
        t.text('summary').nullable();
        t.text('error').nullable();
        t.check("kind IN ('realtime', 'offline')", [], 'reconcile_runs_kind_check');
        t.check("status IN ('running', 'ok', 'failed')", [], 'reconcile_runs_status_check');
        t.index(['kind', 'started_at'], 'reconcile_runs_kind_started_idx');
      });
    }
    if (!(await knex.schema.hasTable('discrepancies'))) {
      await knex.schema.createTable('discrepancies', (t) => {
        t.text('id').primary();
        /** null: found by the relay, not by a run. */
        t.text('run_id').nullable();
        t.text('kind').notNullable();
        t.text('campaign_id').nullable();
        t.text('grant_id').nullable();
        /** JSON. */
        t.text('details').notNullable();
        t.text('status').notNullable();
        t.text('resolution').nullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('resolved_at', { useTz: true }).nullable();
        t.check("status IN ('open', 'resolved')", [], 'discrepancies_status_check');
        t.index(['status', 'created_at'], 'discrepancies_status_created_idx');
        t.index(['run_id'], 'discrepancies_run_idx');
      });
    }
    await knex.raw(
      'CREATE UNIQUE INDEX IF NOT EXISTS discrepancies_open_unique ON discrepancies (kind, grant_id) ' +
        "WHERE status = 'open' AND grant_id IS NOT NULL",
    );
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('discrepancies');
    await knex.schema.dropTableIfExists('reconcile_runs');
  },
};
