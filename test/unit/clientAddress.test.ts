import {
  addressPrefix,
  clientAddress,
  NO_PROXY,
  parseTrustProxy,
  type TrustedProxies,
} from '../../bot/http/clientAddress';

const req = (peer: string, xff?: string) => ({
  socket: { remoteAddress: peer },
  headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
});

describe('TRUST_PROXY', () => {
  const trusted = parseTrustProxy('127.0.0.1, 10.0.0.0/8, fd00::/8') as TrustedProxies;

  it('parses addresses and ranges, refuses garbage', () => {
    expect(typeof trusted).toBe('object');
    expect(trusted.has('10.1.2.3')).toBe(true);
    expect(trusted.has('::ffff:127.0.0.1')).toBe(true);
    expect(trusted.has('fd12::1')).toBe(true);
    expect(trusted.has('192.168.1.1')).toBe(false);
    expect(parseTrustProxy('10.0.0.0/33')).toMatch(/prefix/);
    expect(parseTrustProxy('proxy.local')).toMatch(/not an address/);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress(req('203.0.113.9', '198.51.100.1'), trusted)).toBe('203.0.113.9');
    expect(clientAddress(req('127.0.0.1', '198.51.100.1'), NO_PROXY)).toBe('127.0.0.1');
  });

  it('takes the first untrusted hop from the right behind trusted proxies', () => {
    // the client forged a first entry; our proxies appended the real one
    expect(clientAddress(req('127.0.0.1', '1.1.1.1, 198.51.100.7, 10.0.0.2'), trusted)).toBe('198.51.100.7');
    expect(clientAddress(req('127.0.0.1'), trusted)).toBe('127.0.0.1');
    expect(clientAddress(req('127.0.0.1', 'not-an-ip'), trusted)).toBe('127.0.0.1');
  });

  it('groups IPv6 clients by /64', () => {
    expect(addressPrefix('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressPrefix('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressPrefix('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressPrefix('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressPrefix('192.0.2.1')).toBe('192.0.2.1');
  });
});
