/**
 * Forwarding headers on the requests the ingress sends upstream. A client's own X-Forwarded-*,
 * Forwarded and X-Real-IP are believed only when the peer that sent them is a trusted proxy
 * (--trust-proxy, fastify's trustProxy semantics: a hop count, or addresses, CIDRs and the names
 * loopback, linklocal, uniquelocal); otherwise they are replaced by what the connection says.
 */
import proxyaddr from '@fastify/proxy-addr';
import { joinedValue, type HeaderMap } from './headers.js';

export type TrustProxy = (address: string, hop: number) => boolean;

const CLIENT_FORWARDING = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip'];

const trustNone: TrustProxy = () => false;

/** Throws on a value it cannot read; undefined or empty trusts no proxy. */
export function compileTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? '';
  if (text === '') return trustNone;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 64) throw new Error(`a hop count must be from 1 to 64, got '${text}'`);
    return (_address, hop) => hop < hops;
  }
  return proxyaddr.compile(text.split(',').map((s) => s.trim()).filter(Boolean));
}

/** Mutates and returns `headers` (already a copy without hop-by-hop headers). */
export function setForwarding(headers: HeaderMap, remoteAddress: string, trust: TrustProxy): HeaderMap {
  if (!trust(remoteAddress, 0)) {
    for (const name of CLIENT_FORWARDING) delete headers[name];
  }
  const prior = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${joinedValue(prior)}, ${remoteAddress}` : remoteAddress;
  headers['x-forwarded-proto'] ??= 'http';
  return headers;
}
