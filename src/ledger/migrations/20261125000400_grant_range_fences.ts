import type { Knex } from 'knex';
import { fenceConstraints as c } from '../fence-constraints';

/**
 * Budget ranges of one campaign (and daily ranges of one campaign and business date) never overlap.
 * SQLite: BEFORE INSERT/UPDATE triggers. Because stored ranges never overlap, the new range overlaps some
 * range iff it overlaps its predecessor: the range with the greatest start below the new end, found by one
 * probe of the (campaign_id[, business_date], start) index.
 * PostgreSQL: the same probe, per statement, in the triggers of 20261126000100. (Ledgers created before that
 * migration got GiST exclusion constraints here, which it drops; a new ledger never needs btree_gist.)
 */
const budgetIndex = 'grants_budget_start_idx';
const dailyIndex = 'grants_daily_start_idx';

async function sqliteFences(knex: Knex): Promise<void> {
  const budgetProbe = (self: string) =>
    'SELECT g.budget_end FROM grants g WHERE g.campaign_id = NEW.campaign_id AND g.budget_start < NEW.budget_end' +
    `${self} ORDER BY g.budget_start DESC LIMIT 1`;
  const dailyProbe = (self: string) =>
    'SELECT g.daily_end FROM grants g WHERE g.campaign_id = NEW.campaign_id' +
    ' AND g.business_date = NEW.business_date AND g.daily_start < NEW.daily_end' +
    `${self} ORDER BY g.daily_start DESC LIMIT 1`;
  const notSelf = ' AND g.id <> OLD.id';
  const triggers = [
    [`${c.budgetNoOverlap}_insert`, 'INSERT', 'budget', budgetProbe('')],
    [`${c.budgetNoOverlap}_update`, 'UPDATE OF budget_start, budget_end', 'budget', budgetProbe(notSelf)],
    [`${c.dailyNoOverlap}_insert`, 'INSERT', 'daily', dailyProbe('')],
    [
      `${c.dailyNoOverlap}_update`,
      'UPDATE OF daily_start, daily_end, business_date',
      'daily',
      dailyProbe(notSelf),
    ],
  ] as const;
  for (const [name, event, prefix, probe] of triggers) {
    const constraint = prefix === 'budget' ? c.budgetNoOverlap : c.dailyNoOverlap;
    await knex.raw(
      `CREATE TRIGGER IF NOT EXISTS ${name} BEFORE ${event} ON grants WHEN NEW.${prefix}_start IS NOT NULL\n` +
        `BEGIN\n  SELECT RAISE(ABORT, '${constraint}') WHERE (${probe}) > NEW.${prefix}_start;\nEND`,
    );
  }
}

export const grantRangeFencesMigration: Knex.Migration = {
  async up(knex) {
    // Ordered scans for the counters rebuild (gaps between ranges) and the predecessor probe of the fences.
    await knex.raw(
      `CREATE INDEX IF NOT EXISTS ${budgetIndex} ON grants (campaign_id, budget_start) WHERE budget_start IS NOT NULL`,
    );
    await knex.raw(
      `CREATE INDEX IF NOT EXISTS ${dailyIndex} ON grants (campaign_id, business_date, daily_start) ` +
        'WHERE daily_start IS NOT NULL',
    );
    if (knex.client.dialect !== 'postgresql') await sqliteFences(knex);
  },
  async down(knex) {
    if (knex.client.dialect === 'postgresql') {
      await knex.raw(`ALTER TABLE grants DROP CONSTRAINT IF EXISTS ${c.budgetNoOverlap}`);
      await knex.raw(`ALTER TABLE grants DROP CONSTRAINT IF EXISTS ${c.dailyNoOverlap}`);
    } else {
      for (const name of [c.budgetNoOverlap, c.dailyNoOverlap]) {
        await knex.raw(`DROP TRIGGER IF EXISTS ${name}_insert`);
        await knex.raw(`DROP TRIGGER IF EXISTS ${name}_update`);
      }
    }
    await knex.raw(`DROP INDEX IF EXISTS ${budgetIndex}`);
    await knex.raw(`DROP INDEX IF EXISTS ${dailyIndex}`);
  },
};
