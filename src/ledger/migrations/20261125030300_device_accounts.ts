import type { Knex } from 'knex';

/**
 * Which accounts took part from which device, per campaign (velocity `maxAccountsPerDevice`). Each account
 * takes the next slot; `unique (campaign, device, slot)` makes two parallel claims of one slot collide, so the
 * count per device can never pass the limit, whatever the concurrency.
 */
export const deviceAccountsMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('device_accounts')) return;
    await knex.schema.createTable('device_accounts', (t) => {
      t.text('campaign_id').notNullable();
      t.text('device_id').notNullable();
      t.text('user_id').notNullable();
      t.integer('slot').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.primary(['campaign_id', 'device_id', 'user_id']);
      t.unique(['campaign_id', 'device_id', 'slot'], { indexName: 'device_accounts_slot_unique' });
      t.check('slot >= 1', [], 'device_accounts_slot_check');
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('device_accounts');
  },
};
