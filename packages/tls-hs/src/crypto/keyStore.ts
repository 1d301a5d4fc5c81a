/**
 * The PublicKey / PrivateKey objects handed out by a provider, and the per-provider cache that ties them to the
 * provider's internal key form. A key made by another provider (or rebuilt by the caller) is re-imported from its
 * DER encoding on first use, so keys can cross providers. No `node:` import.
 */
import { CryptoError } from './errors.js';
import { parsePrivateKeyDer, parseSpki, type ParsedPrivateKey, type ParsedPublicKey } from './keys.js';
import type { PrivateKey, PublicKey } from './provider.js';

/** Builds a provider's internal key forms from parsed keys. */
export interface KeyFactory<Pub, Priv> {
  /** Internal public key. */
  publicFrom(parsed: ParsedPublicKey): Pub;
  /** Internal private key. */
  privateFrom(parsed: ParsedPrivateKey): Priv;
}

/** A provider's key cache: hands out PublicKey / PrivateKey objects and finds their internal form again. */
export class KeyStore<Pub, Priv> {
  private readonly pubs = new WeakMap<PublicKey, { parsed: ParsedPublicKey; inner: Pub }>();
  private readonly privs = new WeakMap<PrivateKey, { parsed: ParsedPrivateKey; inner: Priv }>();

  /** Binds the store to a factory. */
  constructor(private readonly factory: KeyFactory<Pub, Priv>) {}

  /** Wraps a parsed public key. */
  wrapPublic(parsed: ParsedPublicKey): PublicKey {
    const key: PublicKey = Object.freeze({ type: parsed.type, spki: parsed.spki, bits: parsed.bits });
    this.pubs.set(key, { parsed, inner: this.factory.publicFrom(parsed) });
    return key;
  }

  /** Wraps a parsed private key (and its public half). */
  wrapPrivate(parsed: ParsedPrivateKey): PrivateKey {
    const publicKey = this.wrapPublic(parsed.publicKey);
    const key: PrivateKey = Object.freeze({ type: parsed.type, publicKey, pkcs8: parsed.pkcs8 });
    this.privs.set(key, { parsed, inner: this.factory.privateFrom(parsed) });
    return key;
  }

  /** The parsed and internal forms of a public key (re-imported from `spki` if this provider did not make it). */
  publicOf(key: PublicKey): { parsed: ParsedPublicKey; inner: Pub } {
    const hit = this.pubs.get(key);
    if (hit) return hit;
    if (!key || !(key.spki instanceof Uint8Array)) throw new CryptoError('BAD_KEY', 'not a public key');
    const parsed = parseSpki(key.spki);
    const entry = { parsed, inner: this.factory.publicFrom(parsed) };
    this.pubs.set(key, entry);
    return entry;
  }

  /** The parsed and internal forms of a private key (re-imported from `pkcs8` if this provider did not make it). */
  privateOf(key: PrivateKey): { parsed: ParsedPrivateKey; inner: Priv } {
    const hit = this.privs.get(key);
    if (hit) return hit;
    if (!key || !(key.pkcs8 instanceof Uint8Array)) throw new CryptoError('BAD_KEY', 'not a private key');
    const parsed = parsePrivateKeyDer(key.pkcs8);
    const entry = { parsed, inner: this.factory.privateFrom(parsed) };
    this.privs.set(key, entry);
    return entry;
  }
}
