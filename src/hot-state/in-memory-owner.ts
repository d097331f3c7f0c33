/**
 * The in-memory hot state is one process's: a second `pocket serve` on the same ledger without REDIS_URL (a
 * second `npm start` on another PORT, as the "port in use" message suggests) would gate stock, budget and
 * per-user limits with counters of its own. The ledger's fences still refuse what the two gates over-admit, but
 * every such refusal is a 503 and a counter rebuild, under traffic one request in ten. So the service holds a
 * lease in the ledger while it runs, and a second one refuses to start, naming the first.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError } from '../config';
import type { Db } from '../ledger/db';
import type { Logger } from '../observability/logger';
import { KnexLease } from '../reconciliation/knex-lease';
import { LeaseKeeper } from '../reconciliation/lease-keeper';

const IN_MEMORY_OWNER_LEASE = 'in-memory-hot-state';
/** Renewed every third of it; a holder that stopped without releasing it (killed) is gone after this. */
const IN_MEMORY_OWNER_TTL_MS = 15_000;

interface Holder {
  host: string;
  pid: number;
}

function parseHolder(holder: string): Holder | null {
  const [host, pid] = holder.split(' ');
  return host && pid && /^\d+$/.test(pid) ? { host, pid: Number(pid) } : null;
}

/** Whether a process of this machine runs: signal 0 reaches it, and on Linux it is no zombie (killed, not reaped). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may hold spaces and parentheses, the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * A holder this one may take the lease from before it expires: a process of this machine that is gone (killed,
 * crashed), or this very process (an instance of the same process, as tests make).
 */
function gone(holder: Holder | null): boolean {
  if (holder === null || holder.host !== hostname()) return false;
  return holder.pid === process.pid || !processAlive(holder.pid);
}

/**
 * Takes the lease for this process's in-memory hot state, or throws a ConfigError naming the process that holds
 * it. `ledger` names the ledger in the message. The keeper renews it until `stop()`, which gives it up.
 */
export async function claimInMemoryHotState(db: Db, ledger: string, logger?: Logger): Promise<LeaseKeeper> {
  const lease = new KnexLease(db);
  const holder = `${hostname()} ${process.pid} ${randomUUID()}`;
  const take = (): Promise<boolean> => lease.acquire(IN_MEMORY_OWNER_LEASE, holder, IN_MEMORY_OWNER_TTL_MS);
  if (!(await take())) {
    const row = (await db('leases').where({ name: IN_MEMORY_OWNER_LEASE }).first()) as
      { holder: string } | undefined;
    const other = row ? parseHolder(row.holder) : null;
    if (row && gone(other)) {
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
