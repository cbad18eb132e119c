// The address of the client behind a request. X-Forwarded-For is believed only when the peer that
// connected is one of our own proxies (TRUST_PROXY: addresses or CIDR ranges), and then read from
// the right: the first hop that is not a trusted proxy is the client. Anything else would let
// anyone pick the address that rate limits, login throttles and audit rows see.
import net from 'node:net';

export interface TrustedProxies {
  /** whether `address` is one of our proxies */
  has(address: string): boolean;
}

/** Parses TRUST_PROXY: a comma-separated list of addresses or CIDRs ("127.0.0.1, 10.0.0.0/8, ::1"). */
export function parseTrustProxy(text: string): TrustedProxies | string {
  const list = new net.BlockList();
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const [address, bits, extra] = item.split('/');
    const family = net.isIP(address);
    if (!family || extra !== undefined) return `"${item}" is not an address or CIDR range`;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return `"${item}" has a wrong prefix length`;
    list.addSubnet(address, prefix, type);
  }
  // BlockList.check builds a SocketAddress per call; every request asks about the same few peers.
  const known = new Map<string, boolean>();
  return {
    has(candidate: string) {
      let trusted = known.get(candidate);
      if (trusted === undefined) {
        const plain = unmapped(candidate);
        const family = net.isIP(plain);
        trusted = family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
        if (known.size >= 4096) known.clear(); // bounded: a flood of forged hops cannot grow it
        known.set(candidate, trusted);
      }
      return trusted;
    },
  };
}

export const NO_PROXY: TrustedProxies = { has: () => false };

/** "::ffff:1.2.3.4" -> "1.2.3.4" */
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

interface RequestLike {
  socket: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}

/** The client's address: the peer, or, behind trusted proxies, the hop before the first of them. */
export function clientAddress(req: RequestLike, trusted: TrustedProxies): string {
  let address = unmapped(req.socket.remoteAddress ?? '');
  if (!trusted.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => unmapped(h.trim()))
    .filter(Boolean);
  while (hops.length) {
    const hop = hops.pop()!;
    if (!net.isIP(hop)) return address; // garbage in the header: keep the last address we can vouch for
    address = hop;
    if (!trusted.has(hop)) return hop;
  }
  return address;
}

/**
 * The part of an address that one client controls: an IPv4 address whole, an IPv6 address's /64
 * (a home or a phone gets a whole /64, and can pick any address in it).
 */
export function addressPrefix(address: string): string {
  const plain = unmapped(address);
  if (net.isIP(plain) !== 6) return plain;
  const groups = expandIpv6(plain);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const withoutZone = address.split('%')[0];
  const [head, tail] = withoutZone.includes('::') ? withoutZone.split('::') : [withoutZone, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // an embedded IPv4 tail counts as two groups
  const last = right.length ? right[right.length - 1] : left[left.length - 1];
  const v4 = last && net.isIPv4(last) ? 1 : 0;
  const missing = tail === undefined ? 0 : 8 - left.length - right.length - v4;
  const groups = [...left, ...Array(Math.max(0, missing)).fill('0'), ...right];
  return groups.map((g) => (net.isIPv4(g) ? g : (parseInt(g, 16) || 0).toString(16)));
}
