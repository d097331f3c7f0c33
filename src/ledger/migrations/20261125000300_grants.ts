import type { Knex } from 'knex';
import { fenceConstraints as c } from '../fence-constraints';

/**
 * Grants, with the fence columns that make the ledger refuse over-issue on its own
 * (DESIGN.md "Redis is the gate; the ledger is the fence"):
 * - stock: stock_slot from the hot-state reserve, unique per (campaign, reward), 1..stock_limit;
 * - budget total/daily: non-overlapping [start, end) ranges inside [0, limit) whose length is the charge
 *   (the overlap fence is in the next migration);
 * - per-user total/daily: user_seq/daily_seq derived by the insert itself, unique per user (and date),
 *   at most the limit.
 * A voided grant moves its fence positions to void_* columns, which frees them.
 */
const rangeCheck = (p: 'budget' | 'daily') =>
  `(${p}_start IS NULL AND ${p}_end IS NULL AND (${p}_limit IS NULL OR charge = 0 OR status = 'void'))` +
  ` OR (${p}_start IS NOT NULL AND ${p}_end IS NOT NULL AND ${p}_limit IS NOT NULL AND charge > 0` +
  ` AND ${p}_start >= 0 AND ${p}_end - ${p}_start = charge AND ${p}_end <= ${p}_limit)`;

const seqCheck = (seq: string, limit: string) =>
  `(${seq} IS NULL AND (${limit} IS NULL OR status = 'void'))` +
  ` OR (${seq} IS NOT NULL AND ${limit} IS NOT NULL AND ${seq} >= 1 AND ${seq} <= ${limit})`;

function grantColumns(t: Knex.CreateTableBuilder): void {
  t.text('id').primary();
  t.text('participation_id').notNullable().unique({ indexName: 'grants_participation_unique' });
  t.text('reservation_id').nullable().unique({ indexName: 'grants_reservation_unique' });
  t.text('campaign_id').notNullable();
  t.integer('campaign_version').notNullable();
  t.text('user_id').notNullable();
  t.text('reward_id').notNullable();
  t.text('reward_type').notNullable();
  t.text('segment_id').nullable();
  t.bigInteger('amount').notNullable();
  t.bigInteger('charge').notNullable();
  t.text('currency').nullable();
  t.text('business_date').notNullable();
  t.boolean('test').notNullable().defaultTo(false);
  t.text('status').notNullable().defaultTo('pending');
  t.integer('stock_slot').nullable();
  t.integer('stock_limit').nullable();
  t.bigInteger('budget_start').nullable();
  t.bigInteger('budget_end').nullable();
  t.bigInteger('budget_limit').nullable();
  t.bigInteger('daily_start').nullable();
  t.bigInteger('daily_end').nullable();
  t.bigInteger('daily_limit').nullable();
  t.integer('user_seq').nullable();
  t.integer('user_limit').nullable();
  t.integer('daily_seq').nullable();
  t.integer('daily_user_limit').nullable();
  t.integer('void_stock_slot').nullable();
  t.bigInteger('void_budget_start').nullable();
  t.bigInteger('void_budget_end').nullable();
  t.bigInteger('void_daily_start').nullable();
  t.bigInteger('void_daily_end').nullable();
  t.integer('void_user_seq').nullable();
  t.integer('void_daily_seq').nullable();
  t.text('void_reason').nullable();
  t.timestamp('voided_at', { useTz: true }).nullable();
  t.timestamp('created_at', { useTz: true }).notNullable();
  t.timestamp('updated_at', { useTz: true }).notNullable();
  t.timestamp('delivered_at', { useTz: true }).nullable();
}

function grantConstraints(t: Knex.CreateTableBuilder): void {
  t.foreign('participation_id', 'grants_participation_fk').references('id').inTable('participations');
  t.check("status IN ('pending', 'delivered', 'failed', 'dead', 'void')", [], 'grants_status_check');
  t.check('amount >= 0 AND charge >= 0', [], 'grants_money_check');
  t.check(
    `(stock_slot IS NULL AND (stock_limit IS NULL OR status = 'void'))` +
      ` OR (stock_slot IS NOT NULL AND stock_limit IS NOT NULL AND stock_slot >= 1 AND stock_slot <= stock_limit)`,
    [],
    c.stockCheck,
  );
  t.check(rangeCheck('budget'), [], c.budgetCheck);
  t.check(rangeCheck('daily'), [], c.dailyCheck);
  t.check(seqCheck('user_seq', 'user_limit'), [], c.userSeqCheck);
  t.check(seqCheck('daily_seq', 'daily_user_limit'), [], c.dailySeqCheck);
  // Testers never spend real stock or budget.
  t.check(
    'NOT test OR (stock_slot IS NULL AND budget_start IS NULL AND daily_start IS NULL)',
    [],
    'grants_test_spends_nothing_check',
  );
  t.unique(['campaign_id', 'reward_id', 'stock_slot'], { indexName: c.stockUnique });
  t.unique(['campaign_id', 'user_id', 'user_seq'], { indexName: c.userSeqUnique });
  t.unique(['campaign_id', 'user_id', 'business_date', 'daily_seq'], { indexName: c.dailySeqUnique });
  // (campaign_id, user_id) lookups use the prefix of grants_user_seq_unique (btree indexes keep NULLs).
  t.index(['campaign_id', 'status'], 'grants_campaign_status_idx');
  t.index(['campaign_id', 'created_at'], 'grants_campaign_created_idx');
  t.index(['user_id', 'created_at'], 'grants_user_created_idx');
}

export const grantsMigration: Knex.Migration = {
  async up(knex) {
    if (await knex.schema.hasTable('grants')) return;
    await knex.schema.createTable('grants', (t) => {
      grantColumns(t);
      grantConstraints(t);
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('grants');
  },
};
