import type { Knex } from 'knex';

/**
 * Who closed a discrepancy by hand (`pocket discrepancies resolve`): null for the ones pocket resolved itself
 * (a repair, or a later run that found it in order). A reconciliation run does not reopen a discrepancy a person
 * closed while it finds the same difference again; the index finds that closed one by grant and kind.
 */
export const discrepancyResolvedByMigration: Knex.Migration = {
  async up(knex) {
    if (!(await knex.schema.hasColumn('discrepancies', 'resolved_by'))) {
      await knex.schema.alterTable('discrepancies', (t) => {
        t.text('resolved_by').nullable();
      });
    }
    await knex.raw(
      'CREATE INDEX IF NOT EXISTS discrepancies_grant_kind_idx ON discrepancies (grant_id, kind)',
    );
  },
  async down(knex) {
    await knex.raw('DROP INDEX IF EXISTS discrepancies_grant_kind_idx');
    if (await knex.schema.hasColumn('discrepancies', 'resolved_by')) {
      await knex.schema.alterTable('discrepancies', (t) => {
        t.dropColumn('resolved_by');
      });
    }
  },
};
