/** Where the HTTP service listens (HOST, PORT), and why it could not, in one line an operator can act on. */
import { isIPv6 } from 'node:net';

const EVERY_INTERFACE = new Set(['0.0.0.0', '::']);

/** The URL to reach the service from this machine: loopback when it listens on every interface. */
export function serviceUrl(host: string | null, port: number): string {
  if (host === null || EVERY_INTERFACE.has(host)) return `http://127.0.0.1:${port}`;
  return `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use; stop the other process or set PORT to a free one',
  EACCES: 'permission denied; ports below 1024 need privileges, set PORT to a higher one',
  EADDRNOTAVAIL: 'no interface of this machine has that address; set HOST to one of its addresses',
  ENOTFOUND: 'HOST is not a known host name',
};

export class ListenError extends Error {
  constructor(host: string | null, port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = (code && REASONS[code]) ?? (cause instanceof Error ? cause.message : String(cause));
    const where = host === null ? `port ${port}` : `${host} port ${port}`;
    super(`cannot listen on ${where}: ${reason}${code ? ` (${code})` : ''}`, { cause });
  }
}
