import type { Knex } from 'knex';
import { campaignVersionsMigration } from './migrations/20261125000100_campaign_versions';
import { participationsMigration } from './migrations/20261125000200_participations';
import { grantsMigration } from './migrations/20261125000300_grants';
import { grantRangeFencesMigration } from './migrations/20261125000400_grant_range_fences';
import { outboxMigration } from './migrations/20261125000500_outbox';
import { auditLogMigration } from './migrations/20261125010100_audit_log';
import { sandboxIssuedMigration } from './migrations/20261125020100_sandbox_issued';
import { reconciliationMigration } from './migrations/20261125020200_reconciliation';
import { notificationsMigration } from './migrations/20261125020300_notifications';
import { leasesMigration } from './migrations/20261125020400_leases';
import { voidAuditLogMigration } from './migrations/20261125020500_void_audit_log';
import { apiTokensMigration } from './migrations/20261125030100_api_tokens';
import { blocklistMigration } from './migrations/20261125030200_blocklist';
import { deviceAccountsMigration } from './migrations/20261125030300_device_accounts';
import { requestStatsMigration } from './migrations/20261125040100_request_stats';
import { alertEpisodesMigration } from './migrations/20261125040200_alert_episodes';
import { discrepancyResolvedByMigration } from './migrations/20261125060100_discrepancy_resolved_by';
import { grantRangeFenceTriggersMigration } from './migrations/20261126000100_grant_range_fence_triggers';
import { grantSeqFunctionsMigration } from './migrations/20261126000200_grant_seq_functions';
import { grantSeqPlpgsqlMigration } from './migrations/20261126000300_grant_seq_plpgsql';
import { blocklistIpCanonicalMigration } from './migrations/20261126000400_blocklist_ip_canonical';
import { closeSettledDeadLettersMigration } from './migrations/20261126000500_close_settled_dead_letters';
import { grantIssuerMigration } from './migrations/20261126000600_grant_issuer';
import { sandboxIssuedChannelMigration } from './migrations/20261126000700_sandbox_issued_channel';

interface NamedMigration {
  name: string;
  migration: Knex.Migration;
}

/** Timestamp-named migrations, imported statically: works from ts-jest and from dist/ alike. */
export const ledgerMigrations: readonly NamedMigration[] = [
  { name: '20261125000100_campaign_versions', migration: campaignVersionsMigration },
  { name: '20261125000200_participations', migration: participationsMigration },
  { name: '20261125000300_grants', migration: grantsMigration },
  { name: '20261125000400_grant_range_fences', migration: grantRangeFencesMigration },
  { name: '20261125000500_outbox', migration: outboxMigration },
  { name: '20261125010100_audit_log', migration: auditLogMigration },
  { name: '20261125020100_sandbox_issued', migration: sandboxIssuedMigration },
  { name: '20261125020200_reconciliation', migration: reconciliationMigration },
  { name: '20261125020300_notifications', migration: notificationsMigration },
  { name: '20261125020400_leases', migration: leasesMigration },
  { name: '20261125020500_void_audit_log', migration: voidAuditLogMigration },
  { name: '20261125030100_api_tokens', migration: apiTokensMigration },
  { name: '20261125030200_blocklist', migration: blocklistMigration },
  { name: '20261125030300_device_accounts', migration: deviceAccountsMigration },
  { name: '20261125040100_request_stats', migration: requestStatsMigration },
  { name: '20261125040200_alert_episodes', migration: alertEpisodesMigration },
  { name: '20261125060100_discrepancy_resolved_by', migration: discrepancyResolvedByMigration },
  { name: '20261126000100_grant_range_fence_triggers', migration: grantRangeFenceTriggersMigration },
  { name: '20261126000200_grant_seq_functions', migration: grantSeqFunctionsMigration },
  { name: '20261126000300_grant_seq_plpgsql', migration: grantSeqPlpgsqlMigration },
  { name: '20261126000400_blocklist_ip_canonical', migration: blocklistIpCanonicalMigration },
  { name: '20261126000500_close_settled_dead_letters', migration: closeSettledDeadLettersMigration },
  { name: '20261126000600_grant_issuer', migration: grantIssuerMigration },
  { name: '20261126000700_sandbox_issued_channel', migration: sandboxIssuedChannelMigration },
];

export const ledgerMigrationSource: Knex.MigrationSource<NamedMigration> = {
  getMigrations: () => Promise.resolve([...ledgerMigrations]),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve(m.migration),
};
