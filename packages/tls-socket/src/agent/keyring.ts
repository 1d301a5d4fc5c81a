/**
 * A keyring of named keys for the handshake agent, after the Linux key retention service that seed 001's requests
 * name their material from: each key has a process-unique serial number and a description (its name) and holds a
 * certificate chain (optionally a trust anchor), a private key, or a pre-shared key. A handshake request is given one
 * keyring and resolves every serial it names inside that ring only, so material in other rings is out of its reach.
 */
import type { PemOrDer } from '@quichs/tls-hs';

/** A key's serial number (a positive integer, unique in this process; the kernel's key_serial_t). */
export type KeySerial = number;

/** "No keyring" (the kernel's TLS_NO_KEYRING). */
export const TLS_NO_KEYRING = 0;
/** "No peer identity": the peer did not authenticate (the kernel's TLS_NO_PEERID). */
export const TLS_NO_PEERID = 0;
/** "No certificate" (the kernel's TLS_NO_CERT). */
export const TLS_NO_CERT = 0;
/** "No private key" (the kernel's TLS_NO_PRIVKEY). */
export const TLS_NO_PRIVKEY = 0;

/** What a key holds. */
export type KeyPayload =
  /** A certificate chain, leaf first (PEM text or DER); `trusted` makes every certificate in it a trust anchor. */
  | { readonly type: 'certificate'; readonly cert: PemOrDer; readonly trusted?: boolean }
  /** A private key (PEM text, or DER PKCS#8 / SEC1 / PKCS#1). */
  | { readonly type: 'privateKey'; readonly key: string | Uint8Array }
  /** An external pre-shared key: its identity on the wire, the secret, and the hash it is bound to (sha256). */
  | { readonly type: 'psk'; readonly identity: string | Uint8Array; readonly key: Uint8Array; readonly hash?: 'sha256' | 'sha384' };

/** A key as held in a keyring. */
export interface KeyEntry {
  /** Serial number. */
  readonly serial: KeySerial;
  /** Description (the key's name, unique within its keyring). */
  readonly description: string;
  /** The material. */
  readonly payload: KeyPayload;
}

let lastSerial = 0;

/** Copies byte arrays so that a key cannot be changed behind the ring's back. */
function frozenPayload(p: KeyPayload): KeyPayload {
  const copy = (v: string | Uint8Array): string | Uint8Array => (typeof v === 'string' ? v : v.slice());
  switch (p.type) {
    case 'certificate':
      return Object.freeze({ type: 'certificate', cert: typeof p.cert === 'string' || p.cert instanceof Uint8Array ? copy(p.cert) : p.cert.map(copy), trusted: p.trusted ?? false });
    case 'privateKey':
      return Object.freeze({ type: 'privateKey', key: copy(p.key) });
    case 'psk':
      return Object.freeze({ type: 'psk', identity: copy(p.identity), key: p.key.slice(), hash: p.hash ?? 'sha256' });
  }
}

/** A named set of keys; requests see only the keys of the ring they are given. */
export class Keyring {
  /** This ring's own serial number. */
  readonly serial: KeySerial = ++lastSerial;
  private readonly bySerial = new Map<KeySerial, KeyEntry>();
  private readonly byDescription = new Map<string, KeyEntry>();

  /** A ring named `description`. */
  constructor(readonly description = 'keyring') {}

  /**
   * Adds a key and returns its serial number. A key with the same description is updated in place and keeps its
   * serial (as add_key does).
   */
  add(description: string, payload: KeyPayload): KeySerial {
    if (typeof description !== 'string' || description.length === 0) throw new TypeError('a key needs a description');
    const existing = this.byDescription.get(description);
    const entry: KeyEntry = Object.freeze({ serial: existing?.serial ?? ++lastSerial, description, payload: frozenPayload(payload) });
    this.bySerial.set(entry.serial, entry);
    this.byDescription.set(description, entry);
    return entry.serial;
  }

  /** The key with this serial in this ring, or undefined (absent, revoked, or in another ring). */
  get(serial: KeySerial): KeyEntry | undefined {
    return this.bySerial.get(serial);
  }

  /** The key with this description in this ring, or undefined. */
  search(description: string): KeyEntry | undefined {
    return this.byDescription.get(description);
  }

  /** Removes a key; true if it was in this ring. */
  revoke(serial: KeySerial): boolean {
    const e = this.bySerial.get(serial);
    if (e === undefined) return false;
    this.bySerial.delete(serial);
    this.byDescription.delete(e.description);
    return true;
  }

  /** Every key in this ring. */
  keys(): readonly KeyEntry[] {
    return [...this.bySerial.values()];
  }

  /** Number of keys. */
  get size(): number {
    return this.bySerial.size;
  }
}
