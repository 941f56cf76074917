/** Whether a listen address is reachable from this machine only: 127.0.0.0/8, ::1 or localhost. */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Any other host name counts as a network address: it may resolve to anything. The wildcard
 * addresses 0.0.0.0 and :: listen on every interface, so they are network addresses too.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return LOOPBACK.check(h, 'ipv4');
  if (isIPv6(h)) {
    // An IPv4-mapped address (::ffff:127.0.0.1) is as local as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
    return mapped ? LOOPBACK.check(mapped, 'ipv4') : LOOPBACK.check(h, 'ipv6');
  }
  return false;
}
