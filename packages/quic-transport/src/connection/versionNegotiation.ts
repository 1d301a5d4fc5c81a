/**
 * Version selection (RFC 9000 §6, RFC 9368, RFC 9369 §4): the client's reaction to a Version Negotiation packet
 * (incompatible negotiation), the server's choice of a compatible version from the client's version_information,
 * and the downgrade checks both sides run on the peer's version_information transport parameter.
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import type { VersionInformation } from '../frame/transportParameters.js';
import { isKnownVersion, QUIC_VERSION_1, QUIC_VERSION_2 } from '../packet/version.js';

/** What a client does with a Version Negotiation packet. */
export type VersionNegotiationOutcome =
  /** The packet lists the version in use (RFC 9000 §6.2: discard it). */
  | { action: 'ignore' }
  /** No common version: the connection attempt is abandoned. */
  | { action: 'abandon'; offered: readonly number[] }
  /** Start a new attempt with `version`. */
  | { action: 'restart'; version: number };

/**
 * RFC 9000 §6.2 + RFC 9368 §4: a VN packet that lists the current version is ignored; otherwise the client picks
 * the first of its own versions (preference order) that the server offers, or abandons the attempt.
 */
export function onVersionNegotiation(current: number, offered: readonly number[], ours: readonly number[]): VersionNegotiationOutcome {
  if (offered.includes(current)) return { action: 'ignore' };
  const version = chooseVersion(ours, offered);
  return version === undefined ? { action: 'abandon', offered } : { action: 'restart', version };
}

/** The first version of `preference` that `available` lists (and this stack implements), or undefined. */
export function chooseVersion(preference: readonly number[], available: readonly number[]): number | undefined {
  for (const v of preference) if (isKnownVersion(v) && available.includes(v)) return v;
  return undefined;
}

/** True when a connection can switch from `from` to `to` without a round trip (RFC 9368 §2.3; v1 ↔ v2, RFC 9369 §4). */
export function isCompatibleVersion(from: number, to: number): boolean {
  if (from === to) return true;
  const pair = (a: number, b: number) => (from === a && to === b) || (from === b && to === a);
  return pair(QUIC_VERSION_1, QUIC_VERSION_2);
}

/**
 * The server's compatible version negotiation (RFC 9368 §2.3): the first version of the server's preference list
 * that the client lists as available and that is compatible with the original version; the original version when
 * the client sent no version_information or nothing better matches.
 */
export function chooseCompatibleVersion(
  original: number,
  serverPreference: readonly number[],
  client: VersionInformation | undefined,
): number {
  if (client === undefined) return original;
  for (const v of serverPreference) {
    if (!isKnownVersion(v)) continue;
    if (v === original) return original;
    if (client.availableVersions.includes(v) && isCompatibleVersion(original, v)) return v;
  }
  return original;
}

function vnError(reason: string): QuicError {
  return new QuicError(TransportErrorCode.VERSION_NEGOTIATION_ERROR, reason);
}

/**
 * Server check of the client's version_information (RFC 9368 §4): its Chosen Version must be the version of the
 * client's first Initial.
 */
export function validateClientVersionInformation(info: VersionInformation | undefined, originalVersion: number): void {
  if (info === undefined) return;
  if (info.chosenVersion !== originalVersion) {
    throw vnError(`client's chosen version 0x${info.chosenVersion.toString(16)} is not the version of its Initial`);
  }
}

/**
 * Client check of the server's version_information (RFC 9368 §4, RFC 9369 §4): the server's Chosen Version must be
 * the negotiated version; after an incompatible negotiation (a VN packet made the client restart) the parameter is
 * required and the client must be able to reach the same choice from the server's Available Versions — otherwise an
 * attacker forged the VN packet (downgrade).
 */
export function validateServerVersionInformation(
  info: VersionInformation | undefined,
  negotiated: number,
  ours: readonly number[],
  afterVersionNegotiation: boolean,
): void {
  if (info === undefined) {
    if (afterVersionNegotiation || negotiated !== QUIC_VERSION_1) {
      throw vnError('server sent no version_information');
    }
    return;
  }
  if (info.chosenVersion !== negotiated) {
    throw vnError(`server's chosen version 0x${info.chosenVersion.toString(16)} is not the negotiated version`);
  }
  if (afterVersionNegotiation) {
    const wouldChoose = chooseVersion(ours, info.availableVersions);
    if (wouldChoose !== negotiated) throw vnError('version negotiation was tampered with (downgrade)');
  }
}
