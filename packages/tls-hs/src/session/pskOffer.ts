/**
 * The client's pre_shared_key offer (RFC 8446 §4.2.11): the resumption ticket first (it is the only one 0-RTT can
 * use), then every external PSK, each with its obfuscated ticket age; the binders are computed last, over the
 * ClientHello truncated before them, each in its own PSK's hash. After a HelloRetryRequest only the PSKs whose hash
 * is the HRR suite's stay (§4.1.2), with fresh ages and binders.
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import type { CipherSuiteParams } from '../keyschedule/cipherSuite.js';
import { binderOf, earlySchedule, type PskKind } from '../keyschedule/binder.js';
import type { KeySchedule } from '../keyschedule/keySchedule.js';
import { ExtensionType } from '../wire/constants.js';
import type { Extension } from '../wire/extensions/extensionList.js';
import { encodePreSharedKeyClient, rewriteBinders, truncatedClientHelloLength } from '../wire/extensions/preSharedKey.js';
import type { ResolvedExternalPsk } from './externalPsk.js';
import type { TlsSession } from './tlsSession.js';

/** One offered PSK. */
export interface OfferedPsk {
  /** identity on the wire. */
  readonly identity: Uint8Array;
  /** obfuscated_ticket_age (0 for external PSKs). */
  readonly obfuscatedAge: number;
  /** The PSK. */
  readonly key: Uint8Array;
  /** Its hash. */
  readonly hash: HashAlgorithm;
  /** Binder label. */
  readonly kind: PskKind;
  /** The session, for a resumption PSK. */
  readonly session?: TlsSession;
  /** The external PSK, for an external one. */
  readonly external?: ResolvedExternalPsk;
  /** Its key schedule at the early stage (binders now; the handshake goes on with it if the server picks it). */
  readonly schedule: KeySchedule;
}

/** What the client may offer. */
export interface PskOfferInput {
  /** Crypto provider. */
  readonly provider: CryptoProvider;
  /** The session to resume, if any. */
  readonly session: TlsSession | undefined;
  /** External PSKs. */
  readonly psks: readonly ResolvedExternalPsk[];
  /** Suites the client offers. */
  readonly suites: readonly CipherSuiteParams[];
  /** Server name the client asks for (normalized), if any. */
  readonly serverName: string | undefined;
  /** Client clock. */
  readonly now: number | undefined;
  /** After an HRR: only PSKs of this hash. */
  readonly hash?: HashAlgorithm;
}

/**
 * The PSKs to offer, in order. A session is left out when it has expired, its suite is not offered, or it was made
 * for another server name (RFC 8446 §4.6.1).
 */
export function pskOffer(input: PskOfferInput): OfferedPsk[] {
  const out: OfferedPsk[] = [];
  const s = input.session;
  if (s !== undefined && !s.expiredAt(input.now) && input.suites.some((x) => x.code === s.suite) &&
      (s.serverName ?? '') === (input.serverName ?? '') && (input.hash === undefined || input.hash === s.cipherSuite.hash)) {
    const hash = s.cipherSuite.hash;
    out.push({ identity: s.ticket, obfuscatedAge: s.obfuscatedAgeAt(input.now), key: s.psk, hash, kind: 'resumption', session: s,
      schedule: earlySchedule(input.provider, hash, s.psk) });
  }
  for (const p of input.psks) {
    if (input.hash !== undefined && p.hash !== input.hash) continue;
    if (!input.suites.some((x) => x.hash === p.hash)) continue;
    out.push({ identity: p.identity, obfuscatedAge: 0, key: p.key, hash: p.hash, kind: 'external', external: p,
      schedule: earlySchedule(input.provider, p.hash, p.key) });
  }
  return out;
}

/** The pre_shared_key extension with zero binders of the right lengths (to be filled by {@link fillBinders}). */
export function preSharedKeyPlaceholder(offer: readonly OfferedPsk[], provider: CryptoProvider): Extension {
  return {
    type: ExtensionType.pre_shared_key,
    data: encodePreSharedKeyClient({
      identities: offer.map((o) => ({ identity: o.identity, obfuscatedTicketAge: o.obfuscatedAge })),
      binders: offer.map((o) => new Uint8Array(provider.hashLength(o.hash))),
    }),
  };
}

/**
 * Computes every binder over the encoded ClientHello message `hello` (header included) and writes them in place.
 * `prefixHash(hash, prefix)` gives the transcript hash of the truncated ClientHello in that hash (with the HRR
 * transcript before it, when there was one). Returns the binders.
 */
export function fillBinders(
  provider: CryptoProvider,
  hello: Uint8Array,
  offer: readonly OfferedPsk[],
  prefixHash: (hash: HashAlgorithm, prefix: Uint8Array) => Uint8Array,
): Uint8Array[] {
  const prefix = hello.subarray(0, truncatedClientHelloLength(hello));
  const byHash = new Map<HashAlgorithm, Uint8Array>();
  const binders = offer.map((o) => {
    let th = byHash.get(o.hash);
    if (th === undefined) {
      th = prefixHash(o.hash, prefix);
      byHash.set(o.hash, th);
    }
    return binderOf(provider, o.schedule, o.kind, th);
  });
  rewriteBinders(hello, binders);
  return binders;
}
