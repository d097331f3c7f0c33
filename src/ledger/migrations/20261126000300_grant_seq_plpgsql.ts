import type { Knex } from 'knex';
import {
  createGrantSeqsFunction,
  GRANT_SEQS_QUERY,
  grantSeqFunctionsMigration,
} from './20261126000200_grant_seq_functions';

/**
 * PostgreSQL: grants_next_seqs, the same query, in PL/pgSQL instead of SQL. A SQL function that is not inlined
 * (its SET clause prevents that) has its body parsed and planned on every call, once per grant batch; that was
 * the largest single item of the batch statement's own work once the pool stopped re-planning every cached plan
 * (pg-prepared.ts). PL/pgSQL keeps the query's plan for the session, made under the function's settings (sorts
 * and JIT off, the reason for both in 20261126000200), so the plan is still the unique index's ordered scan.
 */
export const grantSeqPlpgsqlMigration: Knex.Migration = {
  async up(knex) {
    if (knex.client.dialect !== 'postgresql') return;
    await knex.raw(
      createGrantSeqsFunction(
        'plpgsql',
        `#variable_conflict use_column\nBEGIN RETURN QUERY ${GRANT_SEQS_QUERY}; END`,
      ),
    );
  },
  async down(knex) {
    await grantSeqFunctionsMigration.up(knex);
  },
};
