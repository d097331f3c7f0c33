import type { Knex } from 'knex';

/**
 * Webhook notifications. The unique (campaign_id, event, occurrence) makes each event fire once per
 * occurrence however many runs notice it; campaign_id is '*' for events that belong to no campaign.
 */
export const notificationsMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('notifications')) return;
    await knex.schema.createTable('notifications', (t) => {
      t.text('id').primary();
      t.text('campaign_id').notNullable();
      t.text('event').notNullable();
      t.text('occurrence').notNullable();
      /** JSON: the message body as sent. */
      t.text('payload').notNullable();
      t.text('status').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.timestamp('next_attempt_at', { useTz: true }).nullable();
      t.text('last_error').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('sent_at', { useTz: true }).nullable();
      t.unique(['campaign_id', 'event', 'occurrence'], { indexName: 'notifications_occurrence_unique' });
      t.check("status IN ('pending', 'sent', 'failed', 'skipped')", [], 'notifications_status_check');
      t.index(['status', 'next_attempt_at'], 'notifications_status_next_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('notifications');
  },
};
