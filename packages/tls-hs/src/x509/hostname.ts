/**
 * Server identity check (RFC 6125 §6, as profiled by RFC 9525): does a certificate name the host we connected to?
 *
 * - A host that is an IP literal (IPv4 dotted quad, IPv6, optionally in brackets) matches only iPAddress SANs, octet
 *   for octet; it never matches a dNSName, wildcard or not.
 * - A DNS host matches dNSName SANs case-insensitively (ASCII), ignoring one trailing dot on the host.
 * - A wildcard is accepted only as the whole left-most label (`*.example.com`), matches exactly one non-empty label,
 *   and needs at least two labels after it (`*.com`, `*` and `*.*.example.com` never match). Partial wildcards
 *   (`f*.example.com`) never match.
 * - The subject CN is never used (RFC 9525 §6.3 removed the CN fallback): a certificate without a subjectAltName
 *   matches no host.
 */
import { TlsAlert } from '../alerts.js';
import type { X509Certificate } from './certificate.js';
import { parseIpAddress } from './ipAddress.js';

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lowercases and drops one trailing dot; undefined if the result is not a plausible DNS name (LDH labels). */
function normalizeReference(host: string): string | undefined {
  let h = host.toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h.length === 0 || h.length > 253) return undefined;
  for (const label of h.split('.')) if (!LABEL.test(label)) return undefined;
  return h;
}

/**
 * True when the presented dNSName `presented` (from a certificate) matches the reference host `host` under the rules
 * in the module comment. Both are compared in lowercase; `host` must be a DNS name, not an IP literal.
 */
export function dnsNameMatches(presented: string, host: string): boolean {
  const ref = normalizeReference(host);
  if (ref === undefined) return false;
  const p = presented.toLowerCase();
  if (p.length === 0 || p.endsWith('.')) return false;
  if (!p.startsWith('*.')) {
    if (p.includes('*')) return false;
    return p === ref;
  }
  const suffix = p.slice(2);
  if (suffix.includes('*')) return false;
  // At least two labels after the wildcard: no `*.com`.
  if (!suffix.includes('.') || suffix.split('.').some((l) => l.length === 0)) return false;
  const dot = ref.indexOf('.');
  if (dot <= 0) return false;
  return ref.slice(dot + 1) === suffix;
}

/** Strips the brackets of "[v6]" and returns the address bytes of an IP literal, or undefined for a DNS name. */
export function ipLiteralBytes(host: string): Uint8Array | undefined {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return parseIpAddress(h);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `cert` is valid for `host` (DNS name or IP literal) under the rules in the module comment. */
export function certificateMatchesHost(cert: X509Certificate, host: string): boolean {
  const san = cert.extensions.subjectAltName;
  if (san === undefined) return false;
  const ip = ipLiteralBytes(host);
  if (ip !== undefined) return san.ipAddresses.some((a) => sameBytes(a, ip));
  // Something that looks like an IP attempt (digits and dots only, or with colons) is never treated as a DNS name.
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return false;
  return san.dnsNames.some((d) => dnsNameMatches(d, host));
}

/**
 * Throws unless `cert` is valid for `host`. The alert is bad_certificate: RFC 8446 §6.2 has no identity-mismatch
 * alert, and we report "this certificate is not acceptable for this peer" uniformly as bad_certificate (as the
 * project spec asks) rather than the vaguer certificate_unknown that OpenSSL uses; the reason text says "hostname".
 */
export function checkHostname(cert: X509Certificate, host: string): void {
  if (certificateMatchesHost(cert, host)) return;
  const san = cert.extensions.subjectAltName;
  const reason =
    san === undefined
      ? `certificate has no subjectAltName, so it names no host (the subject CN is not used); wanted "${host}"`
      : `hostname "${host}" matches none of the certificate's subjectAltNames`;
  throw TlsAlert.of('bad_certificate', reason);
}
