/** Shared helpers for the crypto provider tests (not a test file itself). */
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { CryptoError, type CryptoErrorCode } from '../src/crypto/errors.js';
import { createNobleProvider } from '../src/crypto/noble.js';
import { createNodeProvider } from '../src/crypto/node.js';
import type { CryptoProvider } from '../src/crypto/provider.js';

/** Both providers, node first. */
export const providers: readonly CryptoProvider[] = [createNodeProvider(), createNobleProvider()];

/** Hex → bytes. */
export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

/** Bytes → hex. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Reads a JSON fixture from test/fixtures. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** Asserts that `fn` throws a CryptoError with `code`. */
export function throwsCode(fn: () => unknown, code: CryptoErrorCode, what = ''): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CryptoError, `${what}: expected CryptoError, got ${String(e)}`);
    assert.is((e as CryptoError).code, code, `${what}: ${(e as Error).message}`);
    return;
  }
  assert.unreachable(`${what}: expected CryptoError(${code})`);
}

/** A deterministic pseudo-random byte string (test data only). */
export function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
