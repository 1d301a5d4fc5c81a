/**
 * What a handshake request may use, resolved from its own keyring only: our certificate chain and private key (checked
 * to belong together), the trust anchors (the ring's certificates marked `trusted`), and the PSKs. A serial that is
 * not in the ring, or material that is missing, is ENOKEY; a key of the wrong kind or a key that does not match its
 * certificate is EINVAL.
 */
import {
  defaultCertificateSignature,
  loadCertificates,
  loadPrivateKey,
  parseX509Certificate,
  type CryptoProvider,
  type PrivateKey,
} from '@quichs/tls-hs';
import { HandshakeRequestError, HandshakeStatus } from './handshakeStatus.js';
import type { KeyEntry, KeyPayload, KeySerial, Keyring } from './keyring.js';

/** Our certificate chain (DER, leaf first) and its private key. */
export interface ResolvedCredentials {
  /** The chain. */
  readonly chain: Uint8Array[];
  /** The leaf's key. */
  readonly key: PrivateKey;
}

/** A PSK from the ring with the serial it came from (the peer identity reported when it is the one used). */
export interface ResolvedPsk {
  /** Serial of the PSK key. */
  readonly serial: KeySerial;
  /** Identity on the wire. */
  readonly identity: Uint8Array;
  /** The secret. */
  readonly key: Uint8Array;
  /** Hash the PSK is bound to. */
  readonly hash: 'sha256' | 'sha384';
}

type Kind = KeyPayload['type'];
type PayloadOf<K extends Kind> = Extract<KeyPayload, { type: K }>;

/** The key `serial` of kind `kind` from `ring`, or a ENOKEY / EINVAL failure naming `what`. */
function keyOf<K extends Kind>(ring: Keyring, serial: KeySerial | undefined, kind: K, what: string): KeyEntry & { payload: PayloadOf<K> } {
  if (serial === undefined || serial === 0) throw new HandshakeRequestError(HandshakeStatus.ENOKEY, `no ${what} given`);
  const entry = ring.get(serial);
  if (entry === undefined) {
    throw new HandshakeRequestError(HandshakeStatus.ENOKEY, `${what}: key ${serial} is not in keyring "${ring.description}"`);
  }
  if (entry.payload.type !== kind) {
    throw new HandshakeRequestError(HandshakeStatus.EINVAL, `${what}: key ${serial} ("${entry.description}") holds a ${entry.payload.type}, not a ${kind}`);
  }
  return entry as KeyEntry & { payload: PayloadOf<K> };
}

function certificatesOf(entry: KeyEntry & { payload: PayloadOf<'certificate'> }): Uint8Array[] {
  let chain: Uint8Array[];
  try {
    chain = loadCertificates(entry.payload.cert);
    for (const der of chain) parseX509Certificate(der);
  } catch (e) {
    throw new HandshakeRequestError(HandshakeStatus.EINVAL, `key ${entry.serial} ("${entry.description}") is not a certificate chain`, { cause: e });
  }
  if (chain.length === 0) throw new HandshakeRequestError(HandshakeStatus.EINVAL, `key ${entry.serial} ("${entry.description}") holds no certificate`);
  return chain;
}

/** Our certificate and private key, checked to belong together (a signature by the key verifies with the leaf). */
export function resolveCredentials(provider: CryptoProvider, ring: Keyring, certSerial: KeySerial | undefined, keySerial: KeySerial | undefined): ResolvedCredentials {
  const chain = certificatesOf(keyOf(ring, certSerial, 'certificate', 'certificate'));
  const keyEntry = keyOf(ring, keySerial, 'privateKey', 'private key');
  let key: PrivateKey;
  try {
    key = loadPrivateKey(provider, keyEntry.payload.key);
  } catch (e) {
    throw new HandshakeRequestError(HandshakeStatus.EINVAL, `key ${keySerial} ("${keyEntry.description}") is not a usable private key`, { cause: e });
  }
  const probe = new TextEncoder().encode('quichs handshake agent: does this key sign for this certificate?');
  try {
    const params = defaultCertificateSignature(key);
    const leaf = provider.importPublicKey(parseX509Certificate(chain[0]).spki);
    provider.verify(leaf, params, probe, provider.sign(key, params, probe));
  } catch (e) {
    throw new HandshakeRequestError(HandshakeStatus.EINVAL, `private key ${keySerial} does not match certificate ${certSerial}`, { cause: e });
  }
  return { chain, key };
}

/** Every trust anchor of the ring (certificate keys marked `trusted`), DER. */
export function resolveTrustAnchors(ring: Keyring): Uint8Array[] {
  return ring.keys().flatMap((e) => (e.payload.type === 'certificate' && e.payload.trusted ? certificatesOf(e as KeyEntry & { payload: PayloadOf<'certificate'> }) : []));
}

/** The PSKs named by `serials` (or, when none are named and `all` is set, every PSK in the ring). */
export function resolvePsks(ring: Keyring, serials: readonly KeySerial[] | undefined, all: boolean): ResolvedPsk[] {
  const entries = serials !== undefined && serials.length > 0
    ? serials.map((s) => keyOf(ring, s, 'psk', 'peer identity'))
    : all
      ? ring.keys().filter((e): e is KeyEntry & { payload: PayloadOf<'psk'> } => e.payload.type === 'psk')
      : [];
  if (entries.length === 0) throw new HandshakeRequestError(HandshakeStatus.ENOKEY, 'no pre-shared key to use');
  return entries.map((e) => {
    const id = e.payload.identity;
    const identity = typeof id === 'string' ? new TextEncoder().encode(id) : id;
    if (identity.length === 0 || e.payload.key.length === 0) {
      throw new HandshakeRequestError(HandshakeStatus.EINVAL, `PSK ${e.serial} ("${e.description}") has an empty identity or key`);
    }
    return { serial: e.serial, identity, key: e.payload.key, hash: e.payload.hash ?? 'sha256' };
  });
}
