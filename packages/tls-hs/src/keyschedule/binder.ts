/**
 * PSK binders (RFC 8446 §4.2.11.2): each offered PSK is bound to the ClientHello by
 * `binder = HMAC(finished_key(binder_key), Transcript-Hash(Truncate(ClientHello)))`, where
 * `binder_key = Derive-Secret(Early Secret(PSK), "ext binder" | "res binder", "")`. The label tells an external PSK
 * from a resumption PSK, so a ticket's PSK can never be replayed as an external one (and vice versa).
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { KeySchedule } from './keySchedule.js';
import { finishedVerifyData } from './finishedKey.js';

/** Which binder label a PSK uses: "ext binder" for external PSKs, "res binder" for tickets. */
export type PskKind = 'external' | 'resumption';

/**
 * The binder value for `psk` over `truncatedHelloHash` (the transcript hash, in the PSK's hash, of everything before
 * the ClientHello's binders list: with a HelloRetryRequest that includes message_hash(ClientHello1) and the HRR).
 */
export function pskBinder(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  psk: Uint8Array,
  kind: PskKind,
  truncatedHelloHash: Uint8Array,
): Uint8Array {
  return binderOf(provider, earlySchedule(provider, hash, psk), kind, truncatedHelloHash);
}

/** A key schedule at its early stage for `psk` (the handshake then goes on with the same schedule). */
export function earlySchedule(provider: CryptoProvider, hash: HashAlgorithm, psk: Uint8Array): KeySchedule {
  const ks = new KeySchedule(provider, hash);
  ks.early(psk);
  return ks;
}

/** The binder from a schedule already holding the PSK's early secret (no second HKDF-Extract). */
export function binderOf(provider: CryptoProvider, ks: KeySchedule, kind: PskKind, truncatedHelloHash: Uint8Array): Uint8Array {
  return finishedVerifyData(provider, ks.hash, ks.binderKey(kind), truncatedHelloHash);
}

/** Checks a received binder in constant time (false also for a wrong length). */
export function verifyPskBinder(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  psk: Uint8Array,
  kind: PskKind,
  truncatedHelloHash: Uint8Array,
  received: Uint8Array,
): boolean {
  return provider.timingSafeEqual(pskBinder(provider, hash, psk, kind, truncatedHelloHash), received);
}

/** {@link verifyPskBinder} with a schedule already holding the PSK's early secret. */
export function verifyBinderOf(
  provider: CryptoProvider,
  ks: KeySchedule,
  kind: PskKind,
  truncatedHelloHash: Uint8Array,
  received: Uint8Array,
): boolean {
  return provider.timingSafeEqual(binderOf(provider, ks, kind, truncatedHelloHash), received);
}
