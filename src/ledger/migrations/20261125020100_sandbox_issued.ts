import type { Knex } from 'knex';

/**
 * The sandbox issuer's own records: what the embedded "downstream" has issued, one row per grant id (its
 * idempotency key). Deliberately no foreign key to grants: it stands for another system, and offline
 * reconciliation must be able to find records the ledger does not know.
 */
export const sandboxIssuedMigration: Knex.Migration = {
  async up(knex) {
    if (!(await knex.schema.hasTable('sandbox_issued'))) {
      await knex.schema.createTable('sandbox_issued', (t) => {
        t.text('grant_id').primary();
        t.text('campaign_id').notNullable();
        t.text('user_id').notNullable();
        t.text('reward_id').notNullable();
        t.text('reward_type').notNullable();
        t.bigInteger('amount').notNullable();
        t.text('currency').nullable();
        t.text('business_date').notNullable();
        t.boolean('test').notNullable().defaultTo(false);
        t.timestamp('issued_at', { useTz: true }).notNullable();
      });
    }
    await knex.raw(
      'CREATE INDEX IF NOT EXISTS sandbox_issued_at_idx ON sandbox_issued (issued_at, grant_id)',
    );
    // Offline reconciliation pages through delivered grants by delivery time.
    await knex.raw(
      'CREATE INDEX IF NOT EXISTS grants_delivered_at_idx ON grants (delivered_at, id) WHERE delivered_at IS NOT NULL',
    );
  },
  async down(knex) {
    await knex.raw('DROP INDEX IF EXISTS grants_delivered_at_idx');
    await knex.schema.dropTableIfExists('sandbox_issued');
  },
};
