/**
 * External PSKs (RFC 8446 §4.2.11, RFC 9257): keys agreed out of band, each with an identity and the hash it is
 * bound to (SHA-256 unless said otherwise). A client offers all of its PSKs; a server finds one by identity in its
 * list or through a lookup callback. Their binders use the "ext binder" label.
 */
import type { ExternalPsk } from '../engine/tlsState.js';

/** PSK key exchange modes (RFC 8446 §4.2.9): PSK with (EC)DHE (forward secret) or PSK alone. */
export type PskMode = 'psk_dhe_ke' | 'psk_ke';

/**
 * Server lookup of an external PSK by identity: return the PSK (or just its key, then SHA-256), or null/undefined
 * when the identity is unknown (the handshake goes on without it).
 */
export type PskCallback = (identity: Uint8Array) => ExternalPsk | Uint8Array | null | undefined;

/** An external PSK with its hash resolved. */
export interface ResolvedExternalPsk {
  /** Identity as on the wire. */
  readonly identity: Uint8Array;
  /** The key. */
  readonly key: Uint8Array;
  /** Its hash. */
  readonly hash: 'sha256' | 'sha384';
}

/** Validates a configured PSK (TypeError / RangeError: a programming error, raised at configuration time). */
export function resolveExternalPsk(p: ExternalPsk): ResolvedExternalPsk {
  if (!(p.identity instanceof Uint8Array) || p.identity.length === 0 || p.identity.length > 0xffff) {
    throw new RangeError('external PSK identity must be 1..65535 bytes');
  }
  if (!(p.key instanceof Uint8Array) || p.key.length === 0) throw new RangeError('external PSK key must be a non-empty Uint8Array');
  const hash = p.hash ?? 'sha256';
  if (hash !== 'sha256' && hash !== 'sha384') throw new RangeError(`external PSK hash must be sha256 or sha384, not ${String(hash)}`);
  return { identity: p.identity, key: p.key, hash };
}

/** Parses the mode list of the `pskModes` option (default: psk_dhe_ke only). */
export function parsePskModes(modes: readonly PskMode[] | undefined): PskMode[] {
  if (modes === undefined) return ['psk_dhe_ke'];
  const out: PskMode[] = [];
  for (const m of modes) {
    if (m !== 'psk_dhe_ke' && m !== 'psk_ke') throw new RangeError(`unknown PSK mode ${String(m)}`);
    if (!out.includes(m)) out.push(m);
  }
  if (out.length === 0) throw new RangeError('empty PSK mode list');
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Finds the PSK for `identity` in the configured list, then through the callback; undefined when unknown. */
export function lookupExternalPsk(
  psks: readonly ResolvedExternalPsk[],
  callback: PskCallback | undefined,
  identity: Uint8Array,
): ResolvedExternalPsk | undefined {
  for (const p of psks) if (sameBytes(p.identity, identity)) return p;
  if (callback === undefined) return undefined;
  const r = callback(identity);
  if (r === null || r === undefined) return undefined;
  if (r instanceof Uint8Array) return resolveExternalPsk({ identity, key: r });
  return resolveExternalPsk({ ...r, identity });
}
