import type { Knex } from 'knex';
import { fenceConstraints } from '../fence-constraints';

/** One row per executed participation: the idempotency scope and the exact response to replay. */
export const participationsMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('participations')) return;
    await knex.schema.createTable('participations', (t) => {
      t.text('id').primary();
      t.text('campaign_id').notNullable();
      t.text('user_id').notNullable();
      t.text('idem_key').notNullable();
      t.text('request_hash').notNullable();
      t.integer('campaign_version').nullable();
      t.text('outcome').notNullable();
      t.text('reason').nullable();
      t.integer('status_code').notNullable();
      /** The exact response body bytes, replayed on a repeated key. */
      t.text('response').notNullable();
      t.text('grant_id').nullable();
      t.text('business_date').nullable();
      t.text('segment_id').nullable();
      t.text('client_id').nullable();
      t.text('code_nonce').nullable();
      /** JSON: fraud/risk decisions and reasons. */
      t.text('decision').nullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.unique(['campaign_id', 'user_id', 'idem_key'], {
        indexName: fenceConstraints.participationScopeUnique,
      });
      // An activity code is consumed in the same transaction as the participation's outcome.
      t.unique(['campaign_id', 'code_nonce'], { indexName: fenceConstraints.participationCodeUnique });
      t.index(['campaign_id', 'created_at'], 'participations_campaign_created_idx');
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('participations');
  },
};
