import type { Knex } from 'knex';

/**
 * Which issuer a grant was handed to: the base of its type's ISSUER_<TYPE>_URL (issuerBase), or `sandbox`, as
 * the relay recorded it with the outcome (delivered, or refused or dead-lettered by that issuer). Offline
 * reconciliation leaves a grant delivered to an issuer no longer configured for its type alone instead of
 * redelivering it to the new one (a different system would issue it a second time). Nullable and without a
 * default, so adding it rewrites no row on either ledger, and instances of an older build keep running beside
 * it (they do not write it): null is a grant delivered before this column, taken as its type's issuer now.
 */
export const grantIssuerMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasColumn('grants', 'issuer')) return;
    await knex.schema.alterTable('grants', (t) => {
      t.text('issuer').nullable();
    });
  },
  async down(knex) {
    if (!(await knex.schema.hasColumn('grants', 'issuer'))) return;
    await knex.schema.alterTable('grants', (t) => {
      t.dropColumn('issuer');
    });
  },
};
