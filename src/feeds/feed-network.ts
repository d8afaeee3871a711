import { lookup } from 'node:dns/promises';
import http, { type ClientRequest, type RequestOptions } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * How a feed fetch reaches the network: name resolution, then one connection to an address already checked.
 * Tests inject one that answers names from a table and records the address instead of dialling it.
 */
export interface FeedNetwork {
  /** Every address the name resolves to (never called for a literal IP). */
  resolve(hostname: string): Promise<ResolvedAddress[]>;
  /** Sends the request to `address` itself, whatever a second DNS answer would say (no rebinding). */
  connect(url: URL, address: ResolvedAddress, options: RequestOptions): ClientRequest;
}

/** A `lookup` that answers `address` for any name: the connection goes where the check looked. */
function pinnedLookup({ address, family }: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** The system resolver (as `http` itself would use) and a real connection, pinned to the checked address. */
export const SYSTEM_NETWORK: FeedNetwork = {
  async resolve(hostname) {
    const found = await lookup(hostname, { all: true, verbatim: true });
    return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  },
  connect(url, address, options) {
    const client = url.protocol === 'https:' ? https : http;
    return client.request(url, { ...options, lookup: pinnedLookup(address) });
  },
};

/** The host of a URL as an address or a name: `[::1]` loses its brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The addresses of a URL's host: a literal IP as it is, a name through the network's resolver. */
export async function resolveUrl(url: URL, network: FeedNetwork): Promise<ResolvedAddress[]> {
  const host = urlHost(url);
  const family = isIP(host);
  if (family === 4 || family === 6) return [{ address: host, family }];
  return network.resolve(host);
}

/** Address ranges that are not the public internet, each with the word `status` uses for it. */
const RANGES: [word: string, family: 'ipv4' | 'ipv6', network: string, prefix: number][] = [
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  // Carrier-grade NAT, also used for cloud-internal endpoints (e.g. 100.100.100.200).
  ['private', 'ipv4', '100.64.0.0', 10],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['reserved', 'ipv4', '0.0.0.0', 8],
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['reserved', 'ipv4', '224.0.0.0', 3],
  ['reserved', 'ipv6', '::', 128],
  ['reserved', 'ipv6', 'fec0::', 10],
  ['reserved', 'ipv6', 'ff00::', 8],
  ['reserved', 'ipv6', '100::', 64],
  ['reserved', 'ipv6', '64:ff9b:1::', 48],
];

const BLOCKS = RANGES.map(([word, family, network, prefix]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { word, list };
});

/** NAT64's well-known prefix carries an IPv4 address in its last 32 bits (RFC 6052). */
const NAT64 = /^64:ff9b::(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i;

function embeddedIpv4(address: string): string | null {
  const match = NAT64.exec(address);
  if (!match) return null;
  if (match[1]) return match[1];
  const bits = (parseInt(match[2] ?? '0', 16) << 16) | parseInt(match[3] ?? '0', 16);
  return [24, 16, 8, 0].map((shift) => (bits >>> shift) & 255).join('.');
}

/**
 * The kind of non-public address this is (`loopback`, `private`, `link-local`, `unique-local`, `reserved`), or
 * null for a public one. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is checked as the IPv4 address it carries.
 */
export function privateKind({ address, family }: ResolvedAddress): string | null {
  const inner = family === 6 ? embeddedIpv4(address) : null;
  if (inner) return privateKind({ address: inner, family: 4 });
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return BLOCKS.find(({ list }) => list.check(address, type))?.word ?? null;
}
