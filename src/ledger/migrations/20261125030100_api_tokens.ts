import type { Knex } from 'knex';

/** Admin and gateway client tokens: sha256 of the secret only; the token itself is shown once. */
export const apiTokensMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('api_tokens')) return;
    await knex.schema.createTable('api_tokens', (t) => {
      t.text('id').primary();
      t.text('name').nullable();
      /** Space-separated: publish, read, operate, participate. */
      t.text('scopes').notNullable();
      t.text('secret_hash').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('revoked_at', { useTz: true }).nullable();
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('api_tokens');
  },
};
