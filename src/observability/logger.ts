/** One structured logger (pino). Coarse per-request lines by default; testers get fine traces (issue 7). */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'pocket' },
      redact: {
        paths: ['req.headers.authorization', 'authorization', 'token', '*.token', 'activityCode'],
        remove: true,
      },
    },
    destination,
  );
}

/** A logger that drops everything (tests, CLI commands that print their own output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
