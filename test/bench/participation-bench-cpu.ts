/**
 * CPU time probes for `npm run bench:participation`: read before and after a run, so the bench can say how
 * much CPU each process spent per request. Each returns the CPU time used so far, in ms.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';

export type CpuProbe = () => Promise<number>;

/** A server process of the bench (it answers 'cpu' with process.cpuUsage()). */
export function childCpu(child: ChildProcess): CpuProbe {
  return () =>
    new Promise((resolve) => {
      const onMessage = (m: unknown): void => {
        const cpu = (m as { cpu?: NodeJS.CpuUsage }).cpu;
        if (!cpu) return;
        child.off('message', onMessage);
        resolve((cpu.user + cpu.system) / 1000);
      };
      child.on('message', onMessage);
      child.send('cpu');
    });
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** utime + stime of a process from /proc (0 once it is gone). */
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * The PostgreSQL backends of one application_name (the service's pool), summed. A backend that appears
 * during a run started at about zero, so the difference over a run stays right. Local servers only.
 */
export function postgresCpu(admin: Knex, applicationName: string): CpuProbe {
  const seen = new Map<number, number>();
  return async () => {
    const rows = (await admin.raw('SELECT pid FROM pg_stat_activity WHERE application_name = ?', [
      applicationName,
    ])) as { rows: Array<{ pid: number }> };
    for (const { pid } of rows.rows) seen.set(pid, procCpuMs(pid));
    return [...seen.values()].reduce((a, b) => a + b, 0);
  };
}

/** The whole Redis server (INFO cpu), shared with anything else using it. */
export function redisCpu(redis: Redis): CpuProbe {
  return async () => {
    const info = await redis.info('cpu');
    const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
  };
}
