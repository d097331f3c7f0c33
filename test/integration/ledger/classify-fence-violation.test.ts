import { classifyFenceViolation } from '../../../src/ledger/classify-fence-violation';

/** Shapes the drivers produce; the real errors are exercised by fences.test.ts on both engines. */
describe('classifyFenceViolation', () => {
  it.each([
    [{ code: '23505', constraint: 'grants_stock_slot_unique' }, 'stock'],
    [{ code: '23514', constraint: 'grants_stock_check' }, 'stock'],
    [{ code: '23P01', constraint: 'grants_budget_no_overlap' }, 'budget'],
    [{ code: '23514', constraint: 'grants_daily_check' }, 'daily_budget'],
    [{ code: '23505', constraint: 'grants_user_seq_unique' }, 'user_total'],
    [{ code: '23514', constraint: 'grants_daily_seq_check' }, 'user_daily'],
    [{ code: '23505', constraint: 'participations_scope_unique' }, 'idempotency'],
    [{ code: '23505', constraint: 'participations_code_nonce_unique' }, 'activity_code'],
    [
      {
        code: 'SQLITE_CONSTRAINT_UNIQUE',
        message:
          'insert into `grants` … - UNIQUE constraint failed: grants.campaign_id, grants.reward_id, grants.stock_slot',
      },
      'stock',
    ],
    [{ code: 'SQLITE_CONSTRAINT_CHECK', message: 'CHECK constraint failed: grants_budget_check' }, 'budget'],
    [{ code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'insert … - grants_daily_no_overlap' }, 'daily_budget'],
  ])('maps %j to %s', (err, resource) => {
    expect(classifyFenceViolation(err)).toBe(resource);
  });

  it.each([
    [null],
    ['23505'],
    [new Error('boom')],
    [{ code: '23505', constraint: 'grants_pkey' }],
    [{ code: '23503', constraint: 'grants_participation_fk' }],
    [{ code: '40P01', message: 'deadlock detected' }],
    [{ code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: grants.participation_id' }],
    [{ code: 'SQLITE_CONSTRAINT_FOREIGNKEY', message: 'FOREIGN KEY constraint failed' }],
    [{ code: 'SQLITE_BUSY', message: 'database is locked' }],
  ])('is null for %j', (err) => {
    expect(classifyFenceViolation(err)).toBeNull();
  });
});
