/**
 * Address validation tokens (RFC 9000 §8.1.2–§8.1.4): the tokens a server puts in Retry packets and in NEW_TOKEN
 * frames, and checks when a client echoes one in the Token field of an Initial.
 *
 * Layout (opaque to the client): `marker(1) ‖ nonce(12) ‖ AEAD(plaintext) ‖ tag(16)`, sealed with AES-128-GCM or
 * AES-256-GCM (by key length) through the {@link CryptoProvider}; the marker byte is the AEAD's associated data, so
 * it cannot be changed without failing authentication, yet it can be read before opening — which is how a server
 * tells a Retry token from a NEW_TOKEN token (§8.1.1: "a server MUST be able to distinguish"). Plaintext:
 * `issuedAt(float64 ms) ‖ version(4) ‖ addrLen(1) ‖ addr ‖ port(2) ‖ odcidLen(1) ‖ odcid ‖ rscidLen(1) ‖ rscid`.
 * Every token binds the QUIC version it was issued for (RFC 9369 §5: a token is specific to the version of the
 * connection that provided it — after compatible version negotiation the negotiated one): one from another
 * version is refused as 'wrong_version'. A Retry token binds the client's IP address and port, the client's
 * original DCID and the Retry's SCID (which the client must use as the DCID of its next Initial); a NEW_TOKEN token
 * binds the IP address only (clients change ports between connections) and the port field is 0.
 *
 * Nonces are random (12 bytes from the provider's RNG): do not seal more than ~2^32 tokens under one key.
 * Time is a number of milliseconds passed in by the caller; this module never reads a clock.
 */
import type { Aead, CryptoProvider } from '@quichs/tls-hs';
import { defaultProvider } from '@quichs/tls-hs';
import { QuicError, TransportErrorCode } from '../errors.js';

/** Which frame or packet a token was minted for. */
export type AddressTokenKind = 'retry' | 'newToken';

/** Why a token was refused. */
export type AddressTokenInvalidReason =
  | 'malformed' // too short, unknown marker or an impossible plaintext layout
  | 'forged' // the AEAD tag did not verify: tampered, truncated or sealed under another key
  | 'expired' // older than the kind's lifetime
  | 'future' // issued later than `now` (beyond the allowed clock skew)
  | 'wrong_address' // minted for another client address (or, for Retry, another port)
  | 'wrong_kind' // a valid token of the other kind than the caller expected
  | 'wrong_version' // issued for another QUIC version than the Initial carrying it (RFC 9369 §5)
  | 'wrong_connection_id'; // a Retry token echoed in an Initial whose DCID is not the Retry's SCID

/** A client's transport address as seen by the server. */
export interface TokenAddress {
  /** IP address text (IPv4 dotted or IPv6; an IPv4-mapped IPv6 address equals its IPv4 form). */
  address: string;
  /** UDP port. */
  port: number;
}

/** A token that opened and matched. */
export interface ValidAddressToken {
  /** Discriminant. */
  valid: true;
  /** The token's kind. */
  kind: AddressTokenKind;
  /** When it was issued (ms, the caller's clock). */
  issuedAt: number;
  /** The QUIC version it was issued for (the same as the context's). */
  version: number;
  /** Retry tokens: the DCID of the client's first Initial (original_destination_connection_id). Empty otherwise. */
  originalDcid: Uint8Array;
  /** Retry tokens: the SCID of the Retry packet (retry_source_connection_id). Empty otherwise. */
  retrySourceCid: Uint8Array;
}

/** A token that was refused. */
export interface InvalidAddressToken {
  /** Discriminant. */
  valid: false;
  /** Why. */
  reason: AddressTokenInvalidReason;
  /**
   * The kind the token claims by its (unauthenticated) marker byte, or undefined for an unknown marker. A server
   * closes with INVALID_TOKEN for a bad token claiming 'retry' and ignores a bad 'newToken' one (RFC 9000 §8.1.3).
   */
  claimedKind: AddressTokenKind | undefined;
}

/** Result of {@link AddressTokenMinter.validate}. */
export type AddressTokenValidation = ValidAddressToken | InvalidAddressToken;

/** What the token is checked against. */
export interface AddressTokenContext {
  /** The address the Initial carrying the token came from. */
  remote: TokenAddress;
  /** DCID of the Initial carrying the token (checked against a Retry token's retry_source_connection_id). */
  dcid: Uint8Array;
  /** Current time (ms). */
  now: number;
  /** QUIC version of the Initial carrying the token; a token issued for another version is 'wrong_version'. */
  version: number;
  /** If set, a valid token of the other kind is refused as 'wrong_kind'. */
  expect?: AddressTokenKind;
}

/** Options of an {@link AddressTokenMinter}. */
export interface AddressTokenOptions {
  /** Token key: 16 bytes (AES-128-GCM) or 32 bytes (AES-256-GCM). Default: 32 random bytes from the provider. */
  key?: Uint8Array;
  /** Crypto provider (default: tls-hs defaultProvider()). */
  provider?: CryptoProvider;
  /** Lifetime of Retry tokens in ms (default 10 000). */
  retryLifetimeMs?: number;
  /** Lifetime of NEW_TOKEN tokens in ms (default 24 h). */
  newTokenLifetimeMs?: number;
  /** Accepted clock skew for tokens "issued in the future", ms (default 1000). */
  clockSkewMs?: number;
}

/** Marker byte of Retry tokens. */
export const RETRY_TOKEN_MARKER = 0x52;
/** Marker byte of NEW_TOKEN tokens. */
export const NEW_TOKEN_MARKER = 0x4e;
/** Default Retry token lifetime: 10 s. */
export const DEFAULT_RETRY_TOKEN_LIFETIME_MS = 10_000;
/** Default NEW_TOKEN token lifetime: 24 h. */
export const DEFAULT_NEW_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const MAX_CID = 20;
const encoder = new TextEncoder();

/**
 * Canonical bytes of an IP address for comparison: lower case, an IPv4-mapped IPv6 address ("::ffff:1.2.3.4")
 * reduced to its IPv4 form, an IPv6 zone ("%eth0") dropped.
 */
export function canonicalAddressBytes(address: string): Uint8Array {
  let a = address.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && a.includes('.')) a = a.slice(7);
  return encoder.encode(a);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function markerOf(kind: AddressTokenKind): number {
  return kind === 'retry' ? RETRY_TOKEN_MARKER : NEW_TOKEN_MARKER;
}

function kindOf(marker: number): AddressTokenKind | undefined {
  return marker === RETRY_TOKEN_MARKER ? 'retry' : marker === NEW_TOKEN_MARKER ? 'newToken' : undefined;
}

function invalid(reason: AddressTokenInvalidReason, claimedKind: AddressTokenKind | undefined): InvalidAddressToken {
  return { valid: false, reason, claimedKind };
}

/**
 * Mints and validates Retry and NEW_TOKEN tokens under one server token key. One instance per server endpoint;
 * share the key between server processes behind the same address to accept each other's tokens.
 */
export class AddressTokenMinter {
  /** Retry token lifetime (ms). */
  readonly retryLifetimeMs: number;
  /** NEW_TOKEN token lifetime (ms). */
  readonly newTokenLifetimeMs: number;
  private readonly provider: CryptoProvider;
  private readonly aead: Aead;
  private readonly clockSkewMs: number;

  /** Creates a minter; a key of another length than 16 or 32 bytes is QuicError(INTERNAL_ERROR). */
  constructor(options: AddressTokenOptions = {}) {
    this.provider = options.provider ?? defaultProvider();
    const key = options.key ?? this.provider.randomBytes(32);
    if (key.length !== 16 && key.length !== 32) {
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'address token key must be 16 or 32 bytes');
    }
    this.aead = this.provider.createAead(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key);
    this.retryLifetimeMs = options.retryLifetimeMs ?? DEFAULT_RETRY_TOKEN_LIFETIME_MS;
    this.newTokenLifetimeMs = options.newTokenLifetimeMs ?? DEFAULT_NEW_TOKEN_LIFETIME_MS;
    this.clockSkewMs = options.clockSkewMs ?? 1000;
  }

  /**
   * A token for a Retry packet of QUIC `version`: binds `remote` (address and port), the client's `originalDcid`
   * and the Retry's `retrySourceCid`. CIDs longer than 20 bytes are QuicError(INTERNAL_ERROR).
   */
  mintRetryToken(remote: TokenAddress, originalDcid: Uint8Array, retrySourceCid: Uint8Array, now: number, version: number): Uint8Array {
    return this.seal('retry', version, remote.address, remote.port, originalDcid, retrySourceCid, now);
  }

  /**
   * A token for a NEW_TOKEN frame on a connection of QUIC `version` (the negotiated one): binds the client's IP
   * address (not its port) and the version.
   */
  mintNewToken(remote: TokenAddress, now: number, version: number): Uint8Array {
    return this.seal('newToken', version, remote.address, 0, new Uint8Array(0), new Uint8Array(0), now);
  }

  /** Opens and checks a token from an Initial's Token field. Never throws on token bytes. */
  validate(token: Uint8Array, ctx: AddressTokenContext): AddressTokenValidation {
    if (token.length === 0) return invalid('malformed', undefined);
    const claimed = kindOf(token[0]);
    if (claimed === undefined || token.length < 1 + NONCE_LENGTH + TAG_LENGTH + 8 + 4 + 1 + 2 + 1 + 1) {
      return invalid('malformed', claimed);
    }
    let plain: Uint8Array;
    try {
      plain = this.aead.open(token.subarray(1, 1 + NONCE_LENGTH), token.subarray(0, 1), token.subarray(1 + NONCE_LENGTH));
    } catch {
      return invalid('forged', claimed);
    }
    const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
    let p = 0;
    if (plain.length < 8 + 4 + 1) return invalid('malformed', claimed);
    const issuedAt = view.getFloat64(p);
    p += 8;
    const version = view.getUint32(p);
    p += 4;
    const addrLen = plain[p++];
    if (p + addrLen + 2 + 1 > plain.length) return invalid('malformed', claimed);
    const addr = plain.subarray(p, p + addrLen);
    p += addrLen;
    const port = view.getUint16(p);
    p += 2;
    const odcidLen = plain[p++];
    if (odcidLen > MAX_CID || p + odcidLen + 1 > plain.length) return invalid('malformed', claimed);
    const originalDcid = plain.slice(p, p + odcidLen);
    p += odcidLen;
    const rscidLen = plain[p++];
    if (rscidLen > MAX_CID || p + rscidLen !== plain.length) return invalid('malformed', claimed);
    const retrySourceCid = plain.slice(p, p + rscidLen);
    if (!Number.isFinite(issuedAt)) return invalid('malformed', claimed);

    if (ctx.expect !== undefined && ctx.expect !== claimed) return invalid('wrong_kind', claimed);
    if (version !== ctx.version >>> 0) return invalid('wrong_version', claimed);
    if (issuedAt > ctx.now + this.clockSkewMs) return invalid('future', claimed);
    const lifetime = claimed === 'retry' ? this.retryLifetimeMs : this.newTokenLifetimeMs;
    if (ctx.now - issuedAt > lifetime) return invalid('expired', claimed);
    if (!sameBytes(addr, canonicalAddressBytes(ctx.remote.address))) return invalid('wrong_address', claimed);
    if (claimed === 'retry') {
      if (port !== ctx.remote.port) return invalid('wrong_address', claimed);
      if (!sameBytes(retrySourceCid, ctx.dcid)) return invalid('wrong_connection_id', claimed);
    }
    return { valid: true, kind: claimed, issuedAt, version, originalDcid, retrySourceCid };
  }

  private seal(
    kind: AddressTokenKind,
    version: number,
    address: string,
    port: number,
    odcid: Uint8Array,
    rscid: Uint8Array,
    now: number,
  ): Uint8Array {
    const addr = canonicalAddressBytes(address);
    if (addr.length > 255 || odcid.length > MAX_CID || rscid.length > MAX_CID || !Number.isFinite(now)) {
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'bad address token fields');
    }
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `bad port ${port}`);
    }
    if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) {
      throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `bad QUIC version ${version}`);
    }
    const plain = new Uint8Array(8 + 4 + 1 + addr.length + 2 + 1 + odcid.length + 1 + rscid.length);
    const view = new DataView(plain.buffer);
    let p = 0;
    view.setFloat64(p, now);
    p += 8;
    view.setUint32(p, version);
    p += 4;
    plain[p++] = addr.length;
    plain.set(addr, p);
    p += addr.length;
    view.setUint16(p, port);
    p += 2;
    plain[p++] = odcid.length;
    plain.set(odcid, p);
    p += odcid.length;
    plain[p++] = rscid.length;
    plain.set(rscid, p);
    const head = new Uint8Array(1 + NONCE_LENGTH);
    head[0] = markerOf(kind);
    head.set(this.provider.randomBytes(NONCE_LENGTH), 1);
    const sealed = this.aead.seal(head.subarray(1), head.subarray(0, 1), plain);
    const out = new Uint8Array(head.length + sealed.length);
    out.set(head);
    out.set(sealed, head.length);
    return out;
  }
}
