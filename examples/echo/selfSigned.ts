/**
 * The echo server's certificate when none is given: a fresh self-signed ECDSA P-256 certificate (tls-hs certificate
 * builder) for localhost, 127.0.0.1, ::1 and any further names, valid from an hour ago for 30 days.
 */
import { isIP } from 'node:net';
import { defaultProvider, type CreatedCertificate } from '@quichs/tls-hs';
import { createSelfSignedCertificate } from '@quichs/tls-hs';

/** Creates the certificate; `names` are extra DNS names or IP literals to put in subjectAltName. */
export function selfSignedCertificate(names: readonly string[] = []): CreatedCertificate {
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  for (const n of names) {
    if (n === '' || n === '0.0.0.0' || n === '::') continue;
    if (isIP(n) === 0) dns.add(n);
    else ips.add(n);
  }
  const now = Date.now();
  return createSelfSignedCertificate(defaultProvider(), {
    subject: { commonName: 'localhost', organization: 'quichs echo example' },
    dnsNames: [...dns],
    ipAddresses: [...ips],
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 30 * 86400_000),
    extKeyUsage: ['serverAuth'],
  });
}

/** The SHA-256 fingerprint of a DER certificate, as colon-separated hex. */
export function fingerprint(der: Uint8Array): string {
  const hex = Buffer.from(defaultProvider().hash('sha256', der)).toString('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}
