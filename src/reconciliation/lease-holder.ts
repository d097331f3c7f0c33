/**
 * Lease holders that name their process (`<host> <pid> <uuid>`), so that a lease whose holder is a process of this
 * machine that is gone (killed, crashed) can be taken at once instead of after its TTL.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface Holder {
  host: string;
  pid: number;
}

/** A fresh holder id naming this process. */
export function processHolder(): string {
  return `${hostname()} ${process.pid} ${randomUUID()}`;
}

export function parseHolder(holder: string): Holder | null {
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
 * Whether `holder` is a process of this machine that no longer runs. `thisProcess`: count this very process as
 * gone too (the in-memory hot state, which one process holds once, however many instances tests make of it).
 */
export function holderGone(holder: string, thisProcess = false): boolean {
  const parsed = parseHolder(holder);
  if (parsed === null || parsed.host !== hostname()) return false;
  if (parsed.pid === process.pid) return thisProcess;
  return !processAlive(parsed.pid);
}
