import type { Knex } from 'knex';

/**
 * Dead-lettered deliveries of grants that are settled already: voided, or found at the issuer and corrected to
 * delivered. An earlier version left their outbox entries dead, so the backlog's dead count (and `pocket worker
 * --once`) kept counting grants nobody has to act on; a void or a correction now closes the entry as done in
 * the same transaction (grant-void-service.ts, offline-reconciler.ts), and this closes the ones left before.
 */
export const closeSettledDeadLettersMigration: Knex.Migration = {
  async up(knex) {
    await knex('outbox')
      .where({ status: 'dead' })
      .whereIn('grant_id', knex('grants').select('id').whereIn('status', ['void', 'delivered']))
      .update({
        status: 'done',
        locked_by: null,
        locked_until: null,
        last_error: 'closed: the grant was settled (void or delivered)',
        updated_at: new Date(),
      });
  },
  async down() {
    // A closed entry of a settled grant is what the code writes now: nothing to undo.
  },
};
