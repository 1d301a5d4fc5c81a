import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { certificateMatchesHost, checkHostname, dnsNameMatches, ipLiteralBytes } from '../src/x509/hostname.js';
import { formatIpAddress, parseIPv4, parseIPv6, parseIpAddress } from '../src/x509/ipAddress.js';
import { cert, throwsAlert } from './x509-helpers.js';

const s = suite('x509 hostname');

s('exact DNS names, case-insensitive, one trailing dot ignored', () => {
  assert.ok(dnsNameMatches('example.com', 'example.com'));
  assert.ok(dnsNameMatches('example.com', 'EXAMPLE.com'));
  assert.ok(dnsNameMatches('WWW.Example.ORG', 'www.example.org'));
  assert.ok(dnsNameMatches('example.com', 'example.com.'));
  assert.not.ok(dnsNameMatches('example.com', 'example.com..'));
  assert.not.ok(dnsNameMatches('example.com', 'www.example.com'));
  assert.not.ok(dnsNameMatches('example.com.', 'example.com'));
  assert.not.ok(dnsNameMatches('', 'example.com'));
  assert.not.ok(dnsNameMatches('example.com', ''));
  assert.not.ok(dnsNameMatches('example.com', 'exa mple.com'));
  assert.not.ok(dnsNameMatches('example.com', `${'a'.repeat(250)}.com`));
});

s('wildcards: whole left-most label, exactly one label', () => {
  assert.ok(dnsNameMatches('*.example.com', 'www.example.com'));
  assert.ok(dnsNameMatches('*.example.com', 'WWW.EXAMPLE.COM'));
  assert.ok(dnsNameMatches('*.Example.com', 'a-b.example.com'));
  assert.not.ok(dnsNameMatches('*.example.com', 'example.com'), 'wildcard needs a label');
  assert.not.ok(dnsNameMatches('*.example.com', 'a.b.example.com'), 'only one label');
  assert.not.ok(dnsNameMatches('*.example.com', '.example.com'));
  assert.not.ok(dnsNameMatches('*.com', 'example.com'), 'no single-label suffix');
  assert.not.ok(dnsNameMatches('*', 'example'));
  assert.not.ok(dnsNameMatches('*.', 'example.'));
  assert.not.ok(dnsNameMatches('f*.example.com', 'foo.example.com'), 'partial wildcard');
  assert.not.ok(dnsNameMatches('*o.example.com', 'foo.example.com'));
  assert.not.ok(dnsNameMatches('www.*.example.com', 'www.a.example.com'), 'not left-most');
  assert.not.ok(dnsNameMatches('*.*.example.com', 'a.b.example.com'));
  assert.not.ok(dnsNameMatches('*..com', 'a..com'));
  assert.not.ok(dnsNameMatches('*.example.com', '*.example.com'), 'a wildcard reference is not a host');
});

s('IP literals parse strictly', () => {
  assert.equal(parseIPv4('192.0.2.1'), new Uint8Array([192, 0, 2, 1]));
  for (const bad of ['1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1.2.3.-4', 'a.b.c.d', '']) assert.is(parseIPv4(bad), undefined, bad);
  assert.equal(parseIPv6('::1'), new Uint8Array([...new Array(15).fill(0), 1]));
  assert.equal(parseIPv6('2001:DB8::1'), parseIPv6('2001:0db8:0:0:0:0:0:1'));
  assert.equal(parseIPv6('::ffff:192.0.2.1'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]));
  assert.equal(parseIPv6('::'), new Uint8Array(16));
  assert.equal(parseIPv6('1::'), new Uint8Array([0, 1, ...new Array(14).fill(0)]));
  for (const bad of ['1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::2', '12345::', 'g::1', '1.2.3.4::', '::1.2.3', '1:2:3:4:5:6:7:8::', 'fe80::1%eth0', ':'])
    assert.is(parseIPv6(bad), undefined, bad);
  assert.equal(parseIpAddress('10.0.0.1'), new Uint8Array([10, 0, 0, 1]));
  assert.is(parseIpAddress('example.com'), undefined);
  assert.equal(ipLiteralBytes('[::1]'), parseIPv6('::1'));
  assert.is(ipLiteralBytes('[example.com]'), undefined);
});

s('IP formatting (RFC 5952) round-trips', () => {
  for (const t of ['127.0.0.1', '2001:db8::1', '::', '::1', '1::', 'fe80::1:0:0:2', '1:2:3:4:5:6:7:8', '1:0:2:0:3:0:4:0', '2001:db8::2:0:0:1']) {
    assert.is(formatIpAddress(parseIpAddress(t)!), t);
  }
  assert.is(formatIpAddress(new Uint8Array(5)), '<5-byte address>');
});

s('the server fixture: DNS, wildcard, IPv4 and IPv6 SANs', () => {
  const c = cert('server');
  for (const h of ['example.com', 'www.example.com', 'api.EXAMPLE.com', 'www.example.org', '127.0.0.1', '2001:db8::1', '[2001:db8::1]', '2001:DB8:0::1']) {
    assert.ok(certificateMatchesHost(c, h), h);
    checkHostname(c, h);
  }
  for (const h of ['a.b.example.com', 'example.org', 'example.net', '127.0.0.2', '::1', '2001:db8::2', '127.1', 'localhost', '1.2.3', '::ffff:127.0.0.1']) {
    assert.not.ok(certificateMatchesHost(c, h), h);
    throwsAlert(() => checkHostname(c, h), 'bad_certificate', /matches none/);
  }
});

s('an IP host never matches a dNSName written as an IP', () => {
  // The wildcard-only server cert has no 10.x SAN; a DNS SAN text "10.0.0.1" would not count either.
  const c = cert('server');
  assert.not.ok(certificateMatchesHost({ ...c, extensions: { ...c.extensions, subjectAltName: { dnsNames: ['10.0.0.1'], ipAddresses: [], otherNames: 0, critical: false } } }, '10.0.0.1'));
});

s('CN is never used', () => {
  const c = cert('cnonly');
  assert.is(c.subject.attributes[0].value, 'cnonly.example.com');
  assert.not.ok(certificateMatchesHost(c, 'cnonly.example.com'));
  throwsAlert(() => checkHostname(c, 'cnonly.example.com'), 'bad_certificate', /CN is not used/);
});

s.run();
