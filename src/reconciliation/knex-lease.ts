import type { Knex } from 'knex';
import { isPostgres, type Db } from '../ledger/db';
import { rawRows } from '../ledger/row-values';
import type { Lease } from './lease';
import { holderGone } from './lease-holder';

/**
 * The lease in the `leases` table (the embedded SQLite ledger, or PostgreSQL without Redis): one upsert that
 * takes the row when it expired or is ours already. Times come from this instance's clock. On SQLite, whose file
 * only processes of one machine share, a lease held by a process of this machine that is gone (`lease-holder.ts`:
 * killed, crashed) is taken at once: after a crash the restarted service's worker waited out the dead one's 30 s.
 */
export class KnexLease implements Lease {
  constructor(
    private readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    if (await this.upsert(name, holder, ttlMs)) return true;
    if (isPostgres(this.db)) return false;
    const row = (await this.db('leases').where({ name }).first()) as { holder: string } | undefined;
    if (row === undefined || !holderGone(row.holder)) return false;
    await this.db('leases').where({ name, holder: row.holder }).delete();
    return this.upsert(name, holder, ttlMs);
  }

  private async upsert(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    const expires = new Date(now.getTime() + ttlMs);
    const bindings: Knex.Value[] = [name, holder, expires, now];
    const result = await this.db.raw(
      `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
       RETURNING holder`,
      bindings,
    );
    return rawRows(result).length > 0;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.db('leases').where({ name, holder }).delete();
  }

  async close(): Promise<void> {}
}
