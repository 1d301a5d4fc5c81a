/**
 * The default crypto provider: one cached node:crypto provider per process.
 */
import { createNodeProvider } from './node.js';
import type { CryptoProvider } from './provider.js';

let cached: CryptoProvider | undefined;

/** Returns the process-wide default provider (a node:crypto provider, created on first use). */
export function defaultProvider(): CryptoProvider {
  cached ??= createNodeProvider();
  return cached;
}
