/** Shared helpers for the x509 tests (not a test file itself). */
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { TlsAlert, type AlertName } from '../src/alerts.js';
import { parseX509Certificate, type X509Certificate } from '../src/x509/certificate.js';
import { loadCertificates } from '../src/x509/pem.js';

/** The fixed time the fixtures are checked at (fixtures are valid 2020-01-01 .. 2045-01-01). */
export const NOW = new Date('2030-01-01T00:00:00Z');

/** Text of a file in test/fixtures/x509. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`./fixtures/x509/${name}`, import.meta.url), 'utf8');
}

/** Bytes of a file in test/fixtures/x509. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./fixtures/x509/${name}`, import.meta.url)));
}

/** DER of the first certificate in a PEM fixture ("server" → server.pem). */
export function der(name: string): Uint8Array {
  return loadCertificates(fixtureText(`${name}.pem`))[0];
}

/** A parsed fixture certificate. */
export function cert(name: string): X509Certificate {
  return parseX509Certificate(der(name));
}

/** Asserts that `fn` throws a TlsAlert named `alert`, optionally with `reason` in its message; returns it. */
export function throwsAlert(fn: () => unknown, alert: AlertName, reason?: RegExp): TlsAlert {
  try {
    fn();
  } catch (e) {
    assert.instance(e, TlsAlert, `expected TlsAlert, got ${String(e)}`);
    const a = e as TlsAlert;
    assert.is(a.alert, alert, a.message);
    if (reason !== undefined) assert.match(a.message, reason);
    return a;
  }
  assert.unreachable(`expected TlsAlert ${alert}`);
  throw new Error('unreachable');
}
