/** Shared helpers for the wire codec tests (not a test file itself). */
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { TlsAlert, type AlertName } from '../src/alerts.js';

/** Hex → bytes (whitespace ignored). */
export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

/** Bytes → lowercase hex. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Concatenates byte strings. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** Reads a JSON fixture from test/fixtures. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Asserts that `fn` throws a TlsAlert named `alert`; returns it. */
export function throwsAlert(fn: () => unknown, alert: AlertName, what = ''): TlsAlert {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TlsAlert, `${what}: expected TlsAlert, got ${String(e)}`);
    assert.is((e as TlsAlert).alert, alert, `${what}: ${(e as Error).message}`);
    return e as TlsAlert;
  }
  assert.unreachable(`${what}: expected TlsAlert(${alert})`);
  throw new Error('unreachable');
}

/** A deterministic byte string of `n` bytes (test data). */
export function bytesOf(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
