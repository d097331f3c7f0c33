/**
 * The in-memory hot state is one process's: a second `pocket serve` on the same ledger without REDIS_URL (a
 * second `npm start` on another PORT, as the "port in use" message suggests) would gate stock, budget and
 * per-user limits with counters of its own. The ledger's fences still refuse what the two gates over-admit, but
 * every such refusal is a 503 and a counter rebuild, under traffic one request in ten. So the service holds a
 * lease in the ledger while it runs, and a second one refuses to start, naming the first.
 */
import { ConfigError } from '../config';
import type { Db } from '../ledger/db';
import type { Logger } from '../observability/logger';
import { KnexLease } from '../reconciliation/knex-lease';
import { LeaseKeeper } from '../reconciliation/lease-keeper';
import { holderGone, parseHolder, processHolder } from '../reconciliation/lease-holder';

const IN_MEMORY_OWNER_LEASE = 'in-memory-hot-state';
/** Renewed every third of it; a holder that stopped without releasing it (killed) is gone after this. */
const IN_MEMORY_OWNER_TTL_MS = 15_000;

/**
 * Takes the lease for this process's in-memory hot state, or throws a ConfigError naming the process that holds
 * it. `ledger` names the ledger in the message. The keeper renews it until `stop()`, which gives it up.
 */
export async function claimInMemoryHotState(db: Db, ledger: string, logger?: Logger): Promise<LeaseKeeper> {
  const lease = new KnexLease(db);
  const holder = processHolder();
  const take = (): Promise<boolean> => lease.acquire(IN_MEMORY_OWNER_LEASE, holder, IN_MEMORY_OWNER_TTL_MS);
  if (!(await take())) {
    const row = (await db('leases').where({ name: IN_MEMORY_OWNER_LEASE }).first()) as
      { holder: string } | undefined;
    const other = row ? parseHolder(row.holder) : null;
    // A process of this machine that is gone, or this very process (an instance of the same process, as tests make).
    if (row && holderGone(row.holder, true)) {
      await db('leases').where({ name: IN_MEMORY_OWNER_LEASE, holder: row.holder }).delete();
    }
    if (!(await take())) {
      const who = other ? `pid ${other.pid} on ${other.host}` : 'another process';
      throw new ConfigError(
        `another pocket serve (${who}) runs on the ledger ${ledger} with an in-memory hot state, which only one ` +
          'process may use: stop it (or give this one its own POCKET_DATA_DIR), or set REDIS_URL to share the hot ' +
          'state between processes',
      );
    }
  }
  const keeper = new LeaseKeeper(lease, IN_MEMORY_OWNER_LEASE, holder, IN_MEMORY_OWNER_TTL_MS, logger);
  keeper.start();
  return keeper;
}
