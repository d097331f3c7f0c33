import type { Knex } from 'knex';

/**
 * The state of every alert the worker evaluates (burn rate, stock exhausted, error spikes): whether an episode
 * is open, its number and what it fired about, so an alert fires once per episode and recovers once, whichever
 * worker holds the scheduler lease. campaign_id is '*' for alerts about no campaign.
 */
export const alertEpisodesMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('alert_episodes')) return;
    await knex.schema.createTable('alert_episodes', (t) => {
      t.text('campaign_id').notNullable();
      t.text('alert').notNullable();
      t.boolean('firing').notNullable();
      t.integer('episode').notNullable();
      t.timestamp('since', { useTz: true }).notNullable();
      t.text('subject').nullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
      t.primary(['campaign_id', 'alert']);
      t.check('episode >= 0', [], 'alert_episodes_episode_check');
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('alert_episodes');
  },
};
