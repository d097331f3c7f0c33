import type { Knex } from 'knex';

/**
 * How a sandbox record reached the sandbox issuer: `http` through its HTTP face (/sandbox/issuer, an
 * ISSUER_<TYPE>_URL pointing at it), null in process (test grants, reward types without an issuer URL, and every
 * row from before this column). Each face lists only its own records, so offline reconciliation, which reads the
 * in-process sandbox and the HTTP issuer at that URL, no longer finds every grant issued through the HTTP face
 * twice (`issued_twice`). Nullable and without a default: no row is rewritten, and an older build beside a new
 * one writes null, listed once, in process.
 */
export const sandboxIssuedChannelMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasColumn('sandbox_issued', 'channel')) return;
    await knex.schema.alterTable('sandbox_issued', (t) => {
      t.text('channel').nullable();
    });
  },
  async down(knex) {
    if (!(await knex.schema.hasColumn('sandbox_issued', 'channel'))) return;
    await knex.schema.alterTable('sandbox_issued', (t) => {
      t.dropColumn('channel');
    });
  },
};
