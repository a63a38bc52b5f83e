/**
 * Where a webhook may not be delivered: an address of the machine itself or of a private network
 * (loopback, RFC 1918, carrier-grade NAT, link-local, unique-local IPv6, unspecified). An endpoint is
 * registered by a user of the platform, and the worker POSTs to it from inside the deployment: without this
 * rule, a user could make the worker call the deployment's own services (metrics and health ports, storage,
 * a cloud metadata address such as 169.254.169.254). Checked on every address the name resolves to when the
 * worker connects (so a name that resolves inward later is refused too), and on an address written in the
 * URL. WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true lifts it (a receiver on the same network, tests).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv6');

/** Whether `address` (an IPv4 or IPv6 literal; IPv4-mapped IPv6 counts as its IPv4) is private. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why `url` may not receive webhooks (its host is `localhost` or a private address written out), or null. */
export function privateHostOf(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return host;
  return isPrivateAddress(host) ? host : null;
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private address: webhooks are not delivered inside the network`);
  }
}

/** A `lookup` for sockets (net.connect's option) that refuses names resolving to a private address. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const inward = addresses.find((a) => isPrivateAddress(a.address));
    if (inward) return callback(new PrivateAddressError(hostname, inward.address), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
};
