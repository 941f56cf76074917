import type { SentHosts } from '../types/exchange.js';
/**
 * The Host the shadow sees: the client's host name with a suffix, port kept, as Istio and Envoy do
 * (`reviews` -> `reviews-shadow`, `reviews:9080` -> `reviews-shadow:9080`). An IPv6 literal cannot
 * carry a suffix and is left as it is; an empty suffix disables the rewrite.
 */
export function shadowHost(host: string | undefined, suffix: string): string | undefined {
  if (!host || suffix === '' || host.startsWith('[')) return host;
  const colon = host.lastIndexOf(':');
  if (colon === -1) return `${host}${suffix}`;
  return `${host.slice(0, colon)}${suffix}${host.slice(colon)}`;
}

/** The Host the primary and the shadow are sent for one client Host, recorded with the exchange to undo the host echo. */
export function sentHosts(host: string | undefined, suffix: string): SentHosts | undefined {
  const shadow = shadowHost(host, suffix);
  return host && shadow && shadow !== host ? { primary: host, shadow } : undefined;
}
