/**
 * Redis may evict keys under memory pressure (a `maxmemory` with any policy but `noeviction`): pocket's counters,
 * reservations and locks would then vanish. The ledger's fences still hold (DESIGN.md: Redis is the gate, the
 * ledger the fence), but participations answer 503 until the counters are rebuilt, and an evicted reservation
 * or user count must wait for reconciliation. So the boot warns about it.
 */
import type { Cluster, Redis } from 'ioredis';

/** The warning for a Redis whose `maxmemory` and `maxmemory-policy` are these; null when keys are never evicted. */
export function evictionWarning(maxmemory: number, policy: string): string | null {
  if (maxmemory === 0 || policy === 'noeviction') return null;
  return (
    `Redis may evict pocket's keys (maxmemory ${maxmemory} bytes, maxmemory-policy ${policy}): counters, ` +
    'reservations and locks lost that way mean 503s until the counters are rebuilt from the ledger; ' +
    'set maxmemory-policy noeviction'
  );
}

/** Asks the server (CONFIG GET); null when it refuses (a managed Redis may forbid CONFIG) or all is well. */
export async function readEvictionWarning(client: Redis | Cluster): Promise<string | null> {
  try {
    const reply = (await client.call('CONFIG', 'GET', 'maxmemory*')) as string[];
    const settings = new Map<string, string>();
    for (let i = 0; i + 1 < reply.length; i += 2) settings.set(String(reply[i]), String(reply[i + 1]));
    const maxmemory = Number(settings.get('maxmemory') ?? 0);
    const policy = settings.get('maxmemory-policy') ?? 'noeviction';
    return evictionWarning(Number.isFinite(maxmemory) ? maxmemory : 0, policy);
  } catch {
    return null;
  }
}
