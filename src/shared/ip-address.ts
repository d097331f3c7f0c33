import { isIP, SocketAddress } from 'node:net';
import ipaddr from 'ipaddr.js';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/;

/**
 * One spelling per address, so a block or a rate-limit counter cannot be dodged by writing it another way:
 * IPv6 in its canonical form (RFC 5952, as the system's inet_ntop prints it: `2001:0DB8:0:0::6` →
 * `2001:db8::6`), and an IPv4-mapped IPv6 address in any spelling (`::ffff:1.2.3.4`, as express reports IPv4 on
 * a dual-stack socket, `::ffff:102:304`, `0:0:0:0:0:ffff:1.2.3.4`) as the IPv4 address. Text that is no address
 * is only trimmed and lower-cased (blockValue refuses it).
 */
export function normalizeIp(ip: string): string {
  const text = ip.trim().toLowerCase();
  const mapped = MAPPED_IPV4.exec(text);
  if (mapped) return mapped[1] as string;
  if (isIP(text) !== 6) return text;
  const canonical = new SocketAddress({ address: text, family: 'ipv6' }).address;
  return MAPPED_IPV4.exec(canonical)?.[1] ?? canonical;
}

const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const BRACKETED_IPV6 = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/;

/**
 * The client address in `req.ip` without the port some proxies append to each `X-Forwarded-For` entry
 * (`203.0.113.5:51234`, `[2001:db8::5]:443`; Azure Application Gateway does by default). express keeps such an
 * entry as it is, and with the port in it every new connection of one client was another address: a fresh
 * per-IP allowance, an IP block that never matched. Anything else is returned as it is.
 */
export function withoutPort(ip: string): string {
  const address = (IPV4_WITH_PORT.exec(ip) ?? BRACKETED_IPV6.exec(ip))?.[1];
  return address !== undefined && isIP(address) !== 0 ? address : ip;
}

/**
 * The subject a per-IP rate limit counts: an IPv4 address as it is, an IPv6 address as its /64
 * (`2001:db8:1:2::/64`). One IPv6 host is normally handed a whole /64, so counting single addresses would let it
 * take a fresh allowance with each of its 2^64 addresses. Text that is no address is returned as it is.
 */
export function rateLimitedIp(ip: string): string {
  const normalized = normalizeIp(ip);
  if (isIP(normalized) !== 6) return normalized;
  const parts = ipaddr.IPv6.parse(normalized).parts;
  return `${new ipaddr.IPv6([...parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
