import type { SentHosts } from '../exchange/exchange.js';
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

/**
 * The Host the primary is sent in mirror-target mode: the received Host (the mesh's, `reviews-shadow:9080`)
 * with the suffix removed from the end of its name, port kept (`reviews:9080`), case-insensitively. A name
 * without the suffix (or that is only the suffix), an IPv6 literal and an empty suffix leave it as received.
 */
export function stripHostSuffix(host: string | undefined, suffix: string): string | undefined {
  if (!host || suffix === '' || host.startsWith('[')) return host;
  const colon = host.lastIndexOf(':');
  const name = colon === -1 ? host : host.slice(0, colon);
  if (name.length <= suffix.length || !name.toLowerCase().endsWith(suffix.toLowerCase())) return host;
  return name.slice(0, name.length - suffix.length) + (colon === -1 ? '' : host.slice(colon));
}

/** mirror-target: the Host the primary (suffix removed) and the shadow (as received) are sent, for the host echo. */
export function mirroredHosts(received: string | undefined, suffix: string): SentHosts | undefined {
  const primary = stripHostSuffix(received, suffix);
  return received && primary && primary !== received ? { primary, shadow: received } : undefined;
}
