import type { Knex } from 'knex';
import { normalizeIp } from '../../shared/ip-address';

/**
 * Blocked IPs in their one canonical spelling (shared/ip-address.ts). Before, an IPv6 address was only
 * lower-cased, so `2001:0db8:0:0::6` was stored as written and never matched a request from `2001:db8::6`.
 * Each such row takes its canonical value; one whose canonical value is already blocked is dropped. The
 * list's revision moves, so running instances reload it.
 */
export const blocklistIpCanonicalMigration: Knex.Migration = {
  async up(knex) {
    const rows: Array<{ value: string }> = await knex('blocklist').where({ kind: 'ip' }).select('value');
    let changed = false;
    for (const { value } of rows) {
      const canonical = normalizeIp(value);
      if (canonical === value) continue;
      changed = true;
      const taken = await knex('blocklist').where({ kind: 'ip', value: canonical }).first();
      const row = knex('blocklist').where({ kind: 'ip', value });
      await (taken ? row.delete() : row.update({ value: canonical }));
    }
    if (!changed) return;
    await knex('protection_revisions')
      .insert({ name: 'blocklist', revision: 1 })
      .onConflict('name')
      .merge({ revision: knex.raw('protection_revisions.revision + 1') });
  },
  async down() {
    // Canonical values are valid values: nothing to undo.
  },
};
